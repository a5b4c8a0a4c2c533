using Imail.Testing;
using Microsoft.EntityFrameworkCore;

namespace Imail.Api.Tests.Users;

public class SignUpTests(ImailApiFactory api) : IClassFixture<ImailApiFactory>
{
    private const string SignUp = """
        mutation($input: SignUpInput!) {
          signUp(input: $input) {
            user { id email displayName locale createdAt }
            errors { __typename code message ... on InputError { field } ... on ConflictError { field } }
          }
        }
        """;

    private Task<int> CountUsers(string email) => api.ExecuteDbAsync(db => db.Users.CountAsync(u => u.Email == email));

    [Fact]
    public async Task SignUp_CreatesTheAccount_AndAnswersIt()
    {
        var response = await api.GraphQLAsync(SignUp, new { input = new { email = " Chloe@Example.ORG", displayName = "Chloé", locale = "nl-BE" } });

        var payload = response.DataOrFail()["signUp"]!;
        Assert.Empty(payload["errors"]!.AsArray());
        Assert.Equal("chloe@example.org", (string?)payload["user"]!["email"]);
        Assert.Equal("NL", (string?)payload["user"]!["locale"]);
        Assert.Equal(Guid.Parse((string)payload["user"]!["id"]!), await api.ExecuteDbAsync(db => db.Users.Where(u => u.Email == "chloe@example.org").Select(u => u.Id).SingleAsync()));
        Assert.Equal(1, await CountUsers("chloe@example.org"));
    }

    [Theory]
    [InlineData("not-an-address", "Zed", "fr", "INVALID_EMAIL", "email")]
    [InlineData("zed@example.org", "Zed", "de-DE", "UNSUPPORTED_LOCALE", "locale")]
    [InlineData("zed@example.org", "", "fr", "INVALID_DISPLAY_NAME", "displayName")]
    public async Task SignUp_WithBadInput_AnswersATypedError_AndWritesNothing(string email, string name, string locale, string code, string field)
    {
        var before = await api.ExecuteDbAsync(db => db.Users.CountAsync());

        var response = await api.GraphQLAsync(SignUp, new { input = new { email, displayName = name, locale } });

        Assert.Equal(200, response.Status);
        var payload = response.DataOrFail()["signUp"]!;
        Assert.Null(payload["user"]);
        var error = Assert.Single(payload["errors"]!.AsArray())!;
        Assert.Equal(("InputError", code, field), ((string?)error["__typename"], (string?)error["code"], (string?)error["field"]));
        Assert.False(string.IsNullOrWhiteSpace((string?)error["message"]));
        Assert.Equal(before, await api.ExecuteDbAsync(db => db.Users.CountAsync()));
    }

    [Fact]
    public async Task Item17_SignUpWithAnAddressInUse_AnswersLikeANewSignUp_AndEmailsTheOwnerInstead()
    {
        var owner = await api.CreateUserAsync("taken@example.org", "Owner", "nl");
        var device = (string)(await api.GraphQLAsync("""
            mutation { decideConsent(input: { choices: [{ purpose: STATISTICS, granted: true }, { purpose: PERSONALISATION, granted: true }], policyVersion: "1.0", bannerVersion: "b", frontEnd: "f" }) { visitorId } }
            """)).DataOrFail()["decideConsent"]!["visitorId"]!;

        var taken = await api.GraphQLAsync(SignUp, new { input = new { email = "TAKEN@example.org", displayName = "Other", locale = "en", visitorId = device } });
        var fresh = await api.GraphQLAsync(SignUp, new { input = new { email = "FREE@example.org", displayName = "Other", locale = "en" } });

        // The same answer, field for field (but the address and the new id and instant).
        static string Shape(GraphQLResponse r) => System.Text.RegularExpressions.Regex.Replace(r.Body.ToJsonString(),
            "\"(id|email|createdAt)\":\"[^\"]*\"", "\"$1\":\"…\"");
        Assert.Equal((200, Shape(fresh)), (taken.Status, Shape(taken)));
        Assert.Empty(taken.DataOrFail()["signUp"]!["errors"]!.AsArray());
        Assert.Equal("taken@example.org", (string?)taken.Data!["signUp"]!["user"]!["email"]);
        // Nothing was created or changed; the device stays nobody's; the owner heard of it, in their language.
        Assert.Equal(1, await CountUsers("taken@example.org"));
        Assert.Null(await api.ExecuteDbAsync(db => db.Visitors.Where(v => v.Id == Guid.Parse(device)).Select(v => v.UserId).SingleAsync()));
        var told = await api.ExecuteDbAsync(db => db.OutboxMessages.Where(m => m.UserId == owner.Id).Select(m => m.Kind).ToListAsync());
        Assert.Equal(["email.sign-up-attempt-existing-account"], told);
    }

    [Fact]
    public async Task TwoSimultaneousSignUps_WithOneAddress_CreateOneAccount()
    {
        var attempts = await Task.WhenAll(Enumerable.Range(0, 8).Select(i =>
            api.GraphQLAsync(SignUp, new { input = new { email = "race@example.org", displayName = $"Racer {i}" } })));

        Assert.All(attempts, a => Assert.Equal(200, a.Status));
        Assert.All(attempts, a => Assert.Empty(a.DataOrFail()["signUp"]!["errors"]!.AsArray())); // no answer tells which one won
        Assert.Equal(1, await CountUsers("race@example.org"));
        var id = await api.ExecuteDbAsync(db => db.Users.Where(u => u.Email == "race@example.org").Select(u => u.Id).SingleAsync());
        var kinds = await api.ExecuteDbAsync(db => db.OutboxMessages.Where(m => m.UserId == id).Select(m => m.Kind).ToListAsync());
        Assert.Equal(1, kinds.Count(k => k == "email.sign-up-confirmation"));
        Assert.Equal(7, kinds.Count(k => k == "email.sign-up-attempt-existing-account"));
    }

    [Fact]
    public async Task SignUp_WithoutTheRequiredInput_IsAValidationError() =>
        Assert.Contains(await api.GraphQLAsync("mutation { signUp(input: { email: \"x@example.org\" }) { errors { code } } }") is var r ? r.ErrorCodes : [],
            code => code is not null);
}
