using Imail.Testing;

namespace Imail.Api.Tests.ConnectedAccounts;

public sealed class PixelfedOnlyApiFactory : ImailApiFactory
{
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Imail:ConnectedAccounts:IncludeDefaultProviders"] = "false",
        ["Imail:ConnectedAccounts:Providers:pixelfed:0:Name"] = "read:accounts",
        ["Imail:ConnectedAccounts:Providers:pixelfed:0:Fields:0"] = "username",
        ["Imail:ConnectedAccounts:Providers:pixelfed:0:Fields:1"] = "avatarUrl",
        ["Imail:ConnectedAccounts:Providers:pixelfed:1:Name"] = "write:statuses",
    };
}

public class ProviderConfigurationTests(PixelfedOnlyApiFactory api) : IClassFixture<PixelfedOnlyApiFactory>
{
    [Fact]
    public async Task ConfiguredProviders_ReplaceTheDefaults_WithScopeNamesThatContainColons()
    {
        var providers = (await api.GraphQLAsync("{ connectedAccountProviders { name scopes { name fields } } }")).DataOrFail()["connectedAccountProviders"]!.AsArray();

        var pixelfed = Assert.Single(providers)!;
        Assert.Equal("pixelfed", (string?)pixelfed["name"]);
        Assert.Equal([("read:accounts", "username,avatarUrl"), ("write:statuses", "")],
            pixelfed["scopes"]!.AsArray().Select(s => ((string)s!["name"]!, string.Join(",", s["fields"]!.AsArray().Select(f => (string)f!)))));

        var user = await api.CreateUserAsync("pixelfed@example.org");
        var payload = (await api.GraphQLAsync("""
            mutation { connectAccount(input: { provider: "mastodon", externalAccountId: "1", grantedScopes: [], profile: [] }) { errors { code } } }
            """, token: api.UserToken(user.Id))).DataOrFail();
        Assert.Equal("UNKNOWN_PROVIDER", (string?)payload["connectAccount"]!["errors"]![0]!["code"]);
    }
}
