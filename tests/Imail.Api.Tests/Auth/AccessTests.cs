using Imail.Api.Auth;
using Imail.Testing;

namespace Imail.Api.Tests.Auth;

/// <summary>Every root field × every kind of caller (R5 for what exists so far).</summary>
public class AccessTests(ImailApiFactory api) : IClassFixture<ImailApiFactory>
{
    public static TheoryData<string, string, bool> Matrix() => new()
    {
        // field, caller, allowed
        { "{ dataCategories { code } }", "anonymous", true },
        { "{ dataCategories { code } }", "partner", true },
        { "{ me { email } }", "anonymous", false },
        { "{ me { email } }", "partner", false },
        { "{ me { email } }", "staff", false },
        { "{ me { email } }", "user", true },
        { "{ users { totalCount } }", "anonymous", false },
        { "{ users { totalCount } }", "user", false },
        { "{ users { totalCount } }", "partner", false },
        { "{ users { totalCount } }", "staff", true },
        { "{ user(id: \"00000000-0000-0000-0000-000000000000\") { email } }", "user", false },
        { "{ user(id: \"00000000-0000-0000-0000-000000000000\") { email } }", "staff", true },
        { "mutation { createDataCategory(input: { code: \"x_y\", category: { name: \"N\", purpose: \"P\", legalBasis: CONSENT, kind: PERSONAL, retentionMonths: 1, retentionDays: 0 } }) { errors { code } } }", "user", false },
        { "mutation { createDataCategory(input: { code: \"x_y\", category: { name: \"N\", purpose: \"P\", legalBasis: CONSENT, kind: PERSONAL, retentionMonths: 1, retentionDays: 0 } }) { errors { code } } }", "partner", false },
        { "mutation { createDataCategory(input: { code: \"x_y\", category: { name: \"N\", purpose: \"P\", legalBasis: CONSENT, kind: PERSONAL, retentionMonths: 1, retentionDays: 0 } }) { errors { code } } }", "anonymous", false },
        { "mutation { deleteDataCategory(input: { code: \"nope\" }) { errors { code } } }", "user", false },
        { "mutation { updateProfile(input: { displayName: \"X\" }) { errors { code } } }", "anonymous", false },
        { "mutation { updateProfile(input: { displayName: \"X\" }) { errors { code } } }", "staff", false },
        { "mutation { signUp(input: { email: \"new-anon@example.org\", displayName: \"A\" }) { user { email personalData { fields } } errors { code } } }", "anonymous", true },
    };

    [Theory]
    [MemberData(nameof(Matrix))]
    public async Task EachFieldAnswersOnlyTheCallersItDeclares(string query, string caller, bool allowed)
    {
        var user = await api.CreateUserAsync($"{Guid.NewGuid():N}@example.org");
        var token = caller switch
        {
            "user" => api.UserToken(user.Id),
            "partner" => api.Token(Roles.Partner, "partner-test"),
            "staff" => api.StaffToken(),
            _ => null,
        };

        var response = await api.GraphQLAsync(query, token: token);

        if (allowed)
        {
            response.DataOrFail();
        }
        else
        {
            Assert.Null(response.Data);
            Assert.Contains(caller == "anonymous" ? "AUTH_NOT_AUTHENTICATED" : "ACCESS_DENIED", response.ErrorCodes);
        }
    }

    [Fact]
    public async Task AUserSeesOnlyThemselves_ThereIsNoWayToNameAnotherAccount()
    {
        var alice = await api.CreateUserAsync("alice-access@example.org");
        await api.CreateUserAsync("bob-access@example.org");

        var me = (await api.GraphQLAsync("{ me { email } }", token: api.UserToken(alice.Id))).DataOrFail()["me"]!;
        Assert.Equal("alice-access@example.org", (string?)me["email"]);
        Assert.Contains("ACCESS_DENIED", (await api.GraphQLAsync("{ users { nodes { email } } }", token: api.UserToken(alice.Id))).ErrorCodes);
    }

    [Fact]
    public async Task AnonymousSignUp_CannotReachPrivateDataThroughAFieldItIsNotGranted()
    {
        var response = await api.GraphQLAsync(
            "mutation { signUp(input: { email: \"grant@example.org\", displayName: \"G\" }) { errors { code } } } ", token: null);
        response.DataOrFail();
        // The grant covers signUp's own result, not siblings: users stays closed.
        Assert.Contains("AUTH_NOT_AUTHENTICATED",
            (await api.GraphQLAsync("mutation { signUp(input: { email: \"grant2@example.org\", displayName: \"G\" }) { errors { code } } } query Q { users { totalCount } }")).ErrorCodes
            .Concat((await api.GraphQLAsync("{ users { totalCount } }")).ErrorCodes));
    }

    [Theory]
    [InlineData("Bearer not-a-jwt")]
    [InlineData("Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4Iiwicm9sZSI6InN0YWZmIn0.c2lnbmF0dXJl")]
    public async Task ABadToken_IsRefusedWith401(string header)
    {
        using var client = api.CreateClient();
        client.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", header);
        using var response = await client.PostAsync("/graphql",
            new StringContent("{\"query\":\"{ users { totalCount } }\"}", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(401, (int)response.StatusCode);
        Assert.Contains("AUTH_INVALID_TOKEN", await response.Content.ReadAsStringAsync());
    }
}

/// <summary>Its own fixture: it moves the clock forward for good.</summary>
public class TokenExpiryTests(ImailApiFactory api) : IClassFixture<ImailApiFactory>
{
    [Fact]
    public async Task AnExpiredToken_IsRefusedWith401()
    {
        var token = api.StaffToken();
        Assert.NotNull((await api.GraphQLAsync("{ users { totalCount } }", token: token)).DataOrFail()["users"]);

        api.Clock.Advance(TimeSpan.FromHours(13));
        var response = await api.GraphQLAsync("{ users { totalCount } }", token: token);

        Assert.Equal(401, response.Status);
        Assert.Contains("AUTH_INVALID_TOKEN", response.ErrorCodes);
    }
}
