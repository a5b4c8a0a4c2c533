using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Imail.Testing;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Imail.Api.Tests.Auth;

/// <summary>Issue 8 item 12: a token names exactly one of the three roles, or it is refused like any invalid token.</summary>
public class TokenRoleTests(ImailApiFactory api) : IClassFixture<ImailApiFactory>
{
    /// <summary>A token signed with the test key, valid in every way but the <c>role</c> written as given (raw JSON, or left out).</summary>
    private string TokenWithRole(string? roleJson)
    {
        var now = api.Clock.GetUtcNow().ToUnixTimeSeconds();
        var role = roleJson is null ? "" : $",{roleJson}";
        var payload = $$"""{"sub":"token-role-test","iss":"imail","aud":"imail-api","iat":{{now}},"nbf":{{now - 5}},"exp":{{now + 3600}},"auth_time":{{now}}{{role}}}""";
        var credentials = new SigningCredentials(new SymmetricSecurityKey(Convert.FromBase64String(ImailApiFactory.TestSigningKey)), SecurityAlgorithms.HmacSha256);
        return new JsonWebTokenHandler().CreateToken(payload, credentials);
    }

    private async Task<(int Status, JsonNode Body)> AskUsersAsync(string token)
    {
        using var client = api.CreateClient(token);
        using var response = await client.PostAsJsonAsync("/graphql", new { query = "{ users { totalCount } dataCategories { code } }" });
        return ((int)response.StatusCode, JsonNode.Parse(await response.Content.ReadAsStringAsync())!);
    }

    [Fact]
    public async Task Item12_AHandMadeTokenWithOneRole_IsAccepted()
    {
        var (status, body) = await AskUsersAsync(TokenWithRole("\"role\":\"staff\""));

        Assert.Equal(200, status);
        Assert.Null(body["errors"]);
        Assert.NotNull(body["data"]!["users"]);
    }

    [Theory]
    [InlineData("two roles as an array", "\"role\":[\"user\",\"staff\"]")]
    [InlineData("two roles, staff first", "\"role\":[\"staff\",\"partner\"]")]
    [InlineData("the same role twice", "\"role\":[\"staff\",\"staff\"]")]
    [InlineData("two role members", "\"role\":\"user\",\"role\":\"staff\"")]
    [InlineData("one role in an array", "\"role\":[\"staff\"]")]
    [InlineData("no role", null)]
    [InlineData("an unknown role", "\"role\":\"admin\"")]
    [InlineData("a role in other case", "\"role\":\"Staff\"")]
    [InlineData("an empty role", "\"role\":\"\"")]
    [InlineData("a null role", "\"role\":null")]
    [InlineData("a number role", "\"role\":1")]
    [InlineData("an object role", "\"role\":{\"name\":\"staff\"}")]
    [InlineData("the wildcard", "\"role\":\"*\"")]
    [InlineData("a role with spaces", "\"role\":\" staff\"")]
    public async Task Item12_ATokenWithoutExactlyOneKnownRole_IsRefusedWith401(string what, string? role)
    {
        var (status, body) = await AskUsersAsync(TokenWithRole(role));

        Assert.True(status == 401, $"{what}: {status} {body.ToJsonString()}");
        Assert.Null(body["data"]);
        var error = Assert.Single(body["errors"]!.AsArray())!;
        Assert.Equal("AUTH_INVALID_TOKEN", (string?)error["extensions"]!["code"]);
        Assert.Contains("role", (string)error["message"]!, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Item12_ARefusedRoleToken_SaysWhichRolesAreKnown()
    {
        var (_, body) = await AskUsersAsync(TokenWithRole("\"role\":[\"user\",\"staff\"]"));

        var message = (string)body["errors"]![0]!["message"]!;
        Assert.Contains("user", message, StringComparison.Ordinal);
        Assert.Contains("partner", message, StringComparison.Ordinal);
        Assert.Contains("staff", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Item12_TokensFromTheIssuer_KeepWorkingForEachRole()
    {
        var user = await api.CreateUserAsync($"{Guid.NewGuid():N}@example.org");
        foreach (var token in new[] { api.StaffToken(), api.Token("partner", "p"), api.UserToken(user.Id) })
        {
            using var client = api.CreateClient(token);
            using var response = await client.PostAsJsonAsync("/graphql", new { query = "{ dataCategories { code } }" });
            Assert.Equal(200, (int)response.StatusCode);
        }
    }
}
