using Imail.Testing;

namespace Imail.Api.Tests.Users;

/// <summary>The country a person may give (P3 counts people by it): an ISO 3166-1 alpha-2 code, optional, changeable, removable.</summary>
public sealed class CountryTests(ImailApiFactory api) : IClassFixture<ImailApiFactory>
{
    private const string SignUp = """
        mutation($input: SignUpInput!) { signUp(input: $input) { user { id country } errors { __typename code message ... on InputError { field } } } }
        """;

    private const string Update = """
        mutation($input: UpdateProfileInput!) { updateProfile(input: $input) { user { country } errors { code ... on InputError { field } } } }
        """;

    [Fact]
    public async Task ACountryGivenAtSignUp_IsStoredUpperCase_ChangedAndRemovedByUpdateProfile()
    {
        var signedUp = (await api.GraphQLAsync(SignUp, new { input = new { email = $"c-{Guid.NewGuid():N}@example.com", displayName = "C", country = " be " } })).DataOrFail()["signUp"]!;
        Assert.Equal("BE", (string?)signedUp["user"]!["country"]);
        var token = api.UserToken(Guid.Parse((string)signedUp["user"]!["id"]!));

        Assert.Equal("NL", (string?)(await api.GraphQLAsync(Update, new { input = new { country = "nl" } }, token)).DataOrFail()["updateProfile"]!["user"]!["country"]);
        Assert.Equal("NL", (string?)(await api.GraphQLAsync(Update, new { input = new { displayName = "D" } }, token)).DataOrFail()["updateProfile"]!["user"]!["country"]);
        Assert.Null((string?)(await api.GraphQLAsync(Update, new { input = new { country = "" } }, token)).DataOrFail()["updateProfile"]!["user"]!["country"]);
        Assert.Null((string?)(await api.GraphQLAsync("{ me { country } }", null, token)).DataOrFail()["me"]!["country"]);
    }

    [Theory]
    [InlineData("XX")]
    [InlineData("BEL")]
    [InlineData("B")]
    [InlineData("Belgique")]
    public async Task AnythingButAnAssignedCode_IsUnsupportedCountry(string country)
    {
        var email = $"c-{Guid.NewGuid():N}@example.com";
        var payload = (await api.GraphQLAsync(SignUp, new { input = new { email, displayName = "C", country } })).DataOrFail()["signUp"]!;
        var error = payload["errors"]!.AsArray().Single()!;
        Assert.Equal("UNSUPPORTED_COUNTRY", (string?)error["code"]);
        Assert.Equal("country", (string?)error["field"]);
        Assert.Null(payload["user"]);
        Assert.Null(await api.ExecuteDbAsync(db => Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.FirstOrDefaultAsync(db.Users, u => u.Email == email)));
    }

    [Fact]
    public void TheCodeList_IsIso3166_1()
    {
        Assert.Equal(249, Domain.Users.Countries.Codes.Count);
        Assert.All(Domain.Users.Countries.Codes, c => Assert.Matches("^[A-Z]{2}$", c));
        Assert.Contains("BE", Domain.Users.Countries.Codes);
    }
}
