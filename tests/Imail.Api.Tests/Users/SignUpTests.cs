using Imail.Testing;
using Microsoft.EntityFrameworkCore;

namespace Imail.Api.Tests.Users;

public class SignUpTests(ImailApiFactory api) : IClassFixture<ImailApiFactory>
{
    private const string SignUp = """
        mutation($input: SignUpInput!) {
          signUp(input: $input) {
            user { id email displayName locale status lastAuthenticatedAt }
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
        Assert.Equal("ACTIVE", (string?)payload["user"]!["status"]);
        Assert.Null(payload["user"]!["lastAuthenticatedAt"]);
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
    public async Task SignUp_WithAnAddressInUse_InAnyCase_AnswersEmailTaken_AndWritesNothing()
    {
        await api.CreateUserAsync("taken@example.org");

        var response = await api.GraphQLAsync(SignUp, new { input = new { email = "TAKEN@example.org", displayName = "Other" } });

        var error = Assert.Single(response.DataOrFail()["signUp"]!["errors"]!.AsArray())!;
        Assert.Equal(("ConflictError", "EMAIL_TAKEN", "email"), ((string?)error["__typename"], (string?)error["code"], (string?)error["field"]));
        Assert.Equal(1, await CountUsers("taken@example.org"));
    }

    [Fact]
    public async Task TwoSimultaneousSignUps_WithOneAddress_CreateOneAccount()
    {
        var attempts = await Task.WhenAll(Enumerable.Range(0, 8).Select(i =>
            api.GraphQLAsync(SignUp, new { input = new { email = "race@example.org", displayName = $"Racer {i}" } })));

        Assert.All(attempts, a => Assert.Equal(200, a.Status));
        Assert.Single(attempts, a => a.DataOrFail()["signUp"]!["user"] is not null);
        Assert.All(attempts.Where(a => a.Data!["signUp"]!["user"] is null),
            a => Assert.Equal("EMAIL_TAKEN", (string?)a.Data!["signUp"]!["errors"]![0]!["code"]));
        Assert.Equal(1, await CountUsers("race@example.org"));
    }

    [Fact]
    public async Task SignUp_WithoutTheRequiredInput_IsAValidationError() =>
        Assert.Contains(await api.GraphQLAsync("mutation { signUp(input: { email: \"x@example.org\" }) { errors { code } } }") is var r ? r.ErrorCodes : [],
            code => code is not null);
}
