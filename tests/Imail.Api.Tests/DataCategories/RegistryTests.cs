using Imail.Testing;
using Microsoft.EntityFrameworkCore;

namespace Imail.Api.Tests.DataCategories;

public class RegistryTests(ImailApiFactory api) : IClassFixture<ImailApiFactory>
{
    private const string Create = """
        mutation($input: CreateDataCategoryInput!) {
          createDataCategory(input: $input) { dataCategory { code name kind legalBasis retention { months days iso8601 } isSystem } errors { __typename code } }
        }
        """;

    private static object Category(string code, int months = 6, int days = 0, string name = "Lettre d'information") => new
    {
        input = new
        {
            code,
            category = new { name, purpose = "Envoyer la lettre.", legalBasis = "CONSENT", kind = "PERSONAL", retentionMonths = months, retentionDays = days },
        },
    };

    [Fact]
    public async Task TheRegistry_IsPublic_AndSeededWithThePolicysCategories()
    {
        var categories = (await api.GraphQLAsync("{ dataCategories { code kind legalBasis retention { iso8601 } purpose isSystem } }"))
            .DataOrFail()["dataCategories"]!.AsArray();

        var byCode = categories.ToDictionary(c => (string)c!["code"]!);
        Assert.Equal("P1Y1M", (string?)byCode["navigation"]!["retention"]!["iso8601"]); // P5/P6: 13 months
        Assert.Equal("TECHNICAL", (string?)byCode["navigation"]!["kind"]);
        Assert.Equal("P3Y", (string?)byCode["contact"]!["retention"]!["iso8601"]); // P9: 3 years
        Assert.Equal("CONSENT", (string?)byCode["connected_account_profile"]!["legalBasis"]);
        Assert.All(categories, c => Assert.False(string.IsNullOrWhiteSpace((string?)c!["purpose"])));
        Assert.Equal(categories.Select(c => (string)c!["kind"]!).OrderBy(k => k == "TECHNICAL"), categories.Select(c => (string)c!["kind"]!));
    }

    [Fact]
    public async Task Staff_CreateUpdateAndDeleteACategory()
    {
        var created = (await api.GraphQLAsync(Create, Category("newsletter", 6, 15), api.StaffToken())).DataOrFail()["createDataCategory"]!;
        Assert.Empty(created["errors"]!.AsArray());
        Assert.Equal("P6M15D", (string?)created["dataCategory"]!["retention"]!["iso8601"]);
        Assert.False((bool)created["dataCategory"]!["isSystem"]!);

        var updated = (await api.GraphQLAsync("""
            mutation { updateDataCategory(input: { code: "newsletter", category: { name: "Newsletter", purpose: "Send it.",
              legalBasis: LEGITIMATE_INTERESTS, kind: PERSONAL, retentionMonths: 24, retentionDays: 0 } }) { dataCategory { name legalBasis retention { iso8601 } } errors { code } } }
            """, token: api.StaffToken())).DataOrFail()["updateDataCategory"]!;
        Assert.Equal(("Newsletter", "LEGITIMATE_INTERESTS", "P2Y"),
            ((string?)updated["dataCategory"]!["name"], (string?)updated["dataCategory"]!["legalBasis"], (string?)updated["dataCategory"]!["retention"]!["iso8601"]));

        var deleted = (await api.GraphQLAsync("mutation { deleteDataCategory(input: { code: \"newsletter\" }) { errors { code } } }", token: api.StaffToken()))
            .DataOrFail()["deleteDataCategory"]!;
        Assert.Empty(deleted["errors"]!.AsArray());
        Assert.False(await api.ExecuteDbAsync(db => db.DataCategories.AnyAsync(c => c.Code == "newsletter")));
    }

    [Theory]
    [InlineData("Bad-Code", 6, 0, "INVALID_CODE")]
    [InlineData("too_long", 121, 0, "INVALID_RETENTION")]
    [InlineData("zero", 0, 0, "INVALID_RETENTION")]
    [InlineData("contact", 6, 0, "CODE_TAKEN")]
    public async Task Create_WithBadInput_AnswersATypedError_AndWritesNothing(string code, int months, int days, string error)
    {
        var before = await api.ExecuteDbAsync(db => db.DataCategories.CountAsync());
        var payload = (await api.GraphQLAsync(Create, Category(code, months, days), api.StaffToken())).DataOrFail()["createDataCategory"]!;
        Assert.Null(payload["dataCategory"]);
        Assert.Equal(error, (string?)payload["errors"]![0]!["code"]);
        Assert.Equal(before, await api.ExecuteDbAsync(db => db.DataCategories.CountAsync()));
    }

    [Fact]
    public async Task SystemCategories_CannotBeDeleted()
    {
        var payload = (await api.GraphQLAsync("mutation { deleteDataCategory(input: { code: \"contact\" }) { errors { code } } }", token: api.StaffToken()))
            .DataOrFail()["deleteDataCategory"]!;
        Assert.Equal("SYSTEM_CATEGORY", (string?)payload["errors"]![0]!["code"]);
        Assert.True(await api.ExecuteDbAsync(db => db.DataCategories.AnyAsync(c => c.Code == "contact")));
    }

    [Fact]
    public async Task Update_OfAnUnknownCategory_AnswersNotFound()
    {
        var payload = (await api.GraphQLAsync("""
            mutation { updateDataCategory(input: { code: "nope", category: { name: "N", purpose: "P", legalBasis: CONSENT, kind: PERSONAL, retentionMonths: 1, retentionDays: 0 } }) { errors { __typename code } } }
            """, token: api.StaffToken())).DataOrFail()["updateDataCategory"]!;
        Assert.Equal(("NotFoundError", "CATEGORY_NOT_FOUND"), ((string?)payload["errors"]![0]!["__typename"], (string?)payload["errors"]![0]!["code"]));
    }

    [Fact]
    public async Task OneCategory_ByCode()
    {
        var data = (await api.GraphQLAsync("{ a: dataCategory(code: \"identity\") { name } b: dataCategory(code: \"nope\") { name } }")).DataOrFail();
        Assert.Equal("Identité", (string?)data["a"]!["name"]);
        Assert.Null(data["b"]);
    }
}
