using System.Text.Json.Nodes;
using Imail.Testing;
using Microsoft.EntityFrameworkCore;

namespace Imail.Api.Tests.ConnectedAccounts;

public class ConnectedAccountTests(ImailApiFactory api) : IClassFixture<ImailApiFactory>
{
    private const string Connect = """
        mutation($input: ConnectAccountInput!) {
          connectAccount(input: $input) {
            connectedAccount { id provider externalAccountId grantedScopes connectedAt updatedAt shared { scope name value } }
            droppedFields
            errors { __typename code message ... on InputError { field } }
          }
        }
        """;

    private const string Disconnect = """
        mutation($id: ID!) { disconnectAccount(input: { id: $id }) { disconnectedAccountId errors { __typename code message } } }
        """;

    private static readonly object[] Everything =
    [
        new { name = "username", value = "alice" },
        new { name = "displayName", value = "Alice" },
        new { name = "avatarUrl", value = "https://mastodon.example/a.png" },
        new { name = "email", value = "alice@mastodon.example" },
        new { name = "followersCount", value = "12" },
        new { name = "birthDate", value = "1990-01-01" },
    ];

    private static object Input(string[] scopes, object[]? profile = null, string provider = "mastodon", string externalAccountId = "109999") =>
        new { input = new { provider, externalAccountId, grantedScopes = scopes, profile = profile ?? Everything } };

    private async Task<JsonNode> ConnectAsync(Guid userId, object variables)
    {
        var payload = (await api.GraphQLAsync(Connect, variables, api.UserToken(userId))).DataOrFail()["connectAccount"]!;
        Assert.Empty(payload["errors"]!.AsArray());
        return payload;
    }

    private Task<List<(string Scope, string Name, string Value)>> StoredFields(Guid userId) => api.ExecuteDbAsync(async db =>
        (await db.ConnectedAccounts.AsNoTracking().Where(a => a.UserId == userId).ToListAsync())
            .SelectMany(a => a.Fields).Select(f => (f.Scope, f.Name, f.Value)).ToList());

    private Task<int> FieldRowsOf(Guid accountId) => api.ExecuteDbAsync(db =>
        db.Database.SqlQuery<int>($"SELECT count(*)::int AS \"Value\" FROM connected_account_fields WHERE connected_account_id = {accountId}").SingleAsync());

    private Task<int> AccountRowsOf(Guid userId) => api.ExecuteDbAsync(db => db.ConnectedAccounts.CountAsync(a => a.UserId == userId));

    [Fact]
    public async Task P4_AUserCanConnectAnAccountOfAnotherServiceForCrossPosting()
    {
        var user = await api.CreateUserAsync("p4-connect@example.org");

        var payload = await ConnectAsync(user.Id, Input(["profile", "write:statuses"]));

        var account = payload["connectedAccount"]!;
        Assert.Equal(("mastodon", "109999"), ((string?)account["provider"], (string?)account["externalAccountId"]));
        Assert.Equal(["profile", "write:statuses"], account["grantedScopes"]!.AsArray().Select(s => (string)s!));
        var stored = await api.ExecuteDbAsync(db => db.ConnectedAccounts.AsNoTracking().SingleAsync(a => a.UserId == user.Id));
        Assert.Equal((string?)account["id"], stored.Id.ToString());
        Assert.Contains("write:statuses", stored.GrantedScopes);
    }

    [Fact]
    public async Task P4_OnlyDataInsideGrantedScopesIsStored()
    {
        var user = await api.CreateUserAsync("p4-scopes@example.org");

        var payload = await ConnectAsync(user.Id, Input(["profile"]));

        Assert.Equal(["email", "followersCount", "birthDate"], payload["droppedFields"]!.AsArray().Select(f => (string)f!));
        Assert.Equal(
            [("profile", "username", "alice"), ("profile", "displayName", "Alice"), ("profile", "avatarUrl", "https://mastodon.example/a.png")],
            (await StoredFields(user.Id)).OrderBy(f => f.Name switch { "username" => 0, "displayName" => 1, _ => 2 }));
        var all = await api.ExecuteDbAsync(db => db.Database
            .SqlQuery<string>($"SELECT f.value AS \"Value\" FROM connected_account_fields f JOIN connected_accounts a ON a.id = f.connected_account_id WHERE a.user_id = {user.Id}")
            .ToListAsync());
        Assert.DoesNotContain("alice@mastodon.example", all);
        Assert.DoesNotContain("1990-01-01", all);
    }

    [Fact]
    public async Task P4_DisconnectingDeletesWhatWasReceived()
    {
        var user = await api.CreateUserAsync("p4-disconnect@example.org");
        var id = (string)(await ConnectAsync(user.Id, Input(["profile", "email", "follows"])))["connectedAccount"]!["id"]!;
        Assert.Equal(5, await FieldRowsOf(Guid.Parse(id)));

        var payload = (await api.GraphQLAsync(Disconnect, new { id }, api.UserToken(user.Id))).DataOrFail()["disconnectAccount"]!;

        Assert.Empty(payload["errors"]!.AsArray());
        Assert.Equal(id, (string?)payload["disconnectedAccountId"]);
        Assert.Equal(0, await AccountRowsOf(user.Id));
        Assert.Equal(0, await FieldRowsOf(Guid.Parse(id)));
    }

    [Fact]
    public async Task P4_TheUserSeesTheirConnectedAccountsAndWhatEachShared()
    {
        var user = await api.CreateUserAsync("p4-sees@example.org");
        await ConnectAsync(user.Id, Input(["profile"], [new { name = "username", value = "alice" }]));
        api.Clock.Advance(TimeSpan.FromMinutes(1)); // ids are time-ordered (UUIDv7): the second account is the younger one
        await ConnectAsync(user.Id, Input(["email", "atproto:post"], [new { name = "email", value = "alice@bsky.example" }], provider: "bluesky", externalAccountId: "did:plc:alice"));

        var me = (await api.GraphQLAsync("{ me { connectedAccounts { provider externalAccountId grantedScopes shared { scope name value } } } }",
            token: api.UserToken(user.Id))).DataOrFail()["me"]!;

        var accounts = me["connectedAccounts"]!.AsArray();
        Assert.Equal(["mastodon", "bluesky"], accounts.Select(a => (string)a!["provider"]!));
        Assert.Equal("did:plc:alice", (string?)accounts[1]!["externalAccountId"]);
        Assert.Equal([("profile", "username", "alice")], accounts[0]!["shared"]!.AsArray().Select(f => ((string)f!["scope"]!, (string)f["name"]!, (string)f["value"]!)));
        Assert.Equal([("email", "email", "alice@bsky.example")], accounts[1]!["shared"]!.AsArray().Select(f => ((string)f!["scope"]!, (string)f["name"]!, (string)f["value"]!)));
    }

    [Fact]
    public async Task P4_StaffCannotReadReceivedProfileData()
    {
        var user = await api.CreateUserAsync("p4-staff@example.org");
        await ConnectAsync(user.Id, Input(["profile"]));

        foreach (var field in new[] { "shared { name value }", "externalAccountId" })
        {
            var refused = await api.GraphQLAsync($"query($id: ID!) {{ user(id: $id) {{ connectedAccounts {{ provider {field} }} }} }}",
                new { id = user.Id }, api.StaffToken());
            Assert.Contains("ACCESS_DENIED", refused.ErrorCodes);
            Assert.Null(refused.Data);
        }

        // What staff may see: that the account exists and what the person granted.
        var seen = (await api.GraphQLAsync("query($id: ID!) { user(id: $id) { connectedAccounts { id provider grantedScopes connectedAt updatedAt } } }",
            new { id = user.Id }, api.StaffToken())).DataOrFail();
        Assert.Equal("mastodon", (string?)seen["user"]!["connectedAccounts"]![0]!["provider"]);
    }

    [Fact]
    public async Task Reconnecting_TheSameAccountWithFewerScopes_DeletesTheDataOutsideThem()
    {
        var user = await api.CreateUserAsync("p4-reconnect@example.org");
        var first = await ConnectAsync(user.Id, Input(["profile", "email", "follows"]));
        api.Clock.Advance(TimeSpan.FromHours(1));

        var second = await ConnectAsync(user.Id, Input(["email"]));

        Assert.Equal((string?)first["connectedAccount"]!["id"], (string?)second["connectedAccount"]!["id"]);
        Assert.Equal([("email", "email", "alice@mastodon.example")], await StoredFields(user.Id));
        Assert.Equal(1, await AccountRowsOf(user.Id));
        Assert.Equal(1, await FieldRowsOf(Guid.Parse((string)second["connectedAccount"]!["id"]!)));
        Assert.Equal(["email"], await api.ExecuteDbAsync(db => db.ConnectedAccounts.Where(a => a.UserId == user.Id).Select(a => a.GrantedScopes).SingleAsync()));
        Assert.NotEqual((string?)second["connectedAccount"]!["connectedAt"], (string?)second["connectedAccount"]!["updatedAt"]);
    }

    [Fact]
    public async Task AnotherUser_CannotDisconnectYourAccount()
    {
        var owner = await api.CreateUserAsync("p4-owner@example.org");
        var other = await api.CreateUserAsync("p4-other@example.org");
        var id = (string)(await ConnectAsync(owner.Id, Input(["profile"])))["connectedAccount"]!["id"]!;

        var payload = (await api.GraphQLAsync(Disconnect, new { id }, api.UserToken(other.Id))).DataOrFail()["disconnectAccount"]!;

        var error = Assert.Single(payload["errors"]!.AsArray())!;
        Assert.Equal(("NotFoundError", "CONNECTED_ACCOUNT_NOT_FOUND"), ((string?)error["__typename"], (string?)error["code"]));
        Assert.Null(payload["disconnectedAccountId"]);
        Assert.Equal(1, await AccountRowsOf(owner.Id));
        Assert.Equal(3, await FieldRowsOf(Guid.Parse(id)));
    }

    [Fact]
    public async Task Disconnecting_AnUnknownId_AnswersNotFound() =>
        Assert.Equal("CONNECTED_ACCOUNT_NOT_FOUND", (string?)(await api.GraphQLAsync(Disconnect, new { id = "not-a-uuid" },
            api.UserToken((await api.CreateUserAsync("p4-unknown@example.org")).Id))).DataOrFail()["disconnectAccount"]!["errors"]![0]!["code"]);

    [Fact]
    public async Task Anonymous_IsRefused_AndStaffCannotConnectForSomeone()
    {
        var anonymous = await api.GraphQLAsync(Connect, Input(["profile"]));
        Assert.Contains("AUTH_NOT_AUTHENTICATED", anonymous.ErrorCodes);
        Assert.Contains("AUTH_NOT_AUTHENTICATED", (await api.GraphQLAsync(Disconnect, new { id = Guid.CreateVersion7() })).ErrorCodes);
        Assert.Contains("ACCESS_DENIED", (await api.GraphQLAsync(Connect, Input(["profile"]), api.StaffToken())).ErrorCodes);
        Assert.Equal(0, await api.ExecuteDbAsync(db => db.ConnectedAccounts.CountAsync(a => a.ExternalAccountId == "109999" && a.UserId == Guid.Empty)));
    }

    [Theory]
    [InlineData("twitter", "1", new[] { "profile" }, "UNKNOWN_PROVIDER", "provider")]
    [InlineData("mastodon", "", new[] { "profile" }, "INVALID_EXTERNAL_ACCOUNT_ID", "externalAccountId")]
    [InlineData("mastodon", "1", new[] { "profile", "read:notifications" }, "INVALID_SCOPE", "grantedScopes")]
    public async Task BadInput_AnswersATypedError_AndStoresNothing(string provider, string externalAccountId, string[] scopes, string code, string field)
    {
        var user = await api.CreateUserAsync($"p4-bad-{code.ToLowerInvariant()}@example.org");

        var payload = (await api.GraphQLAsync(Connect, Input(scopes, provider: provider, externalAccountId: externalAccountId), api.UserToken(user.Id)))
            .DataOrFail()["connectAccount"]!;

        Assert.Null(payload["connectedAccount"]);
        Assert.Empty(payload["droppedFields"]!.AsArray());
        var error = Assert.Single(payload["errors"]!.AsArray())!;
        Assert.Equal(("InputError", code, field), ((string?)error["__typename"], (string?)error["code"], (string?)error["field"]));
        Assert.Equal(0, await AccountRowsOf(user.Id));
    }

    [Fact]
    public async Task DuplicatedOrOverlongFields_AnswerTypedErrors_AndStoreNothing()
    {
        var user = await api.CreateUserAsync("p4-bad-fields@example.org");

        async Task<string?> CodeOf(object[] profile) => (string?)(await api.GraphQLAsync(Connect, Input(["profile"], profile), api.UserToken(user.Id)))
            .DataOrFail()["connectAccount"]!["errors"]![0]!["code"];

        Assert.Equal("DUPLICATE_FIELD", await CodeOf([new { name = "username", value = "a" }, new { name = "username", value = "b" }]));
        Assert.Equal("VALUE_TOO_LONG", await CodeOf([new { name = "displayName", value = new string('x', 2001) }]));
        Assert.Equal(0, await AccountRowsOf(user.Id));
    }

    [Fact]
    public async Task ConnectedAccountProviders_IsPublic_AndListsWhatEachScopeCovers()
    {
        var providers = (await api.GraphQLAsync("{ connectedAccountProviders { name scopes { name fields } } }")).DataOrFail()["connectedAccountProviders"]!.AsArray();

        var mastodon = providers.Single(p => (string?)p!["name"] == "mastodon")!;
        var scopes = mastodon["scopes"]!.AsArray().ToDictionary(s => (string)s!["name"]!, s => s!["fields"]!.AsArray().Select(f => (string)f!).ToList());
        Assert.Equal(["username", "displayName", "avatarUrl", "profileUrl"], scopes["profile"]);
        Assert.Empty(scopes["write:statuses"]);
        Assert.Contains(providers, p => (string?)p!["name"] == "bluesky");
    }

    [Fact]
    public async Task P8_ErasingTheAccount_DeletesItsConnectedAccountsAndWhatTheyShared()
    {
        var user = await api.CreateUserAsync("p4-erase@example.org");
        var id = Guid.Parse((string)(await ConnectAsync(user.Id, Input(["profile", "email"])))["connectedAccount"]!["id"]!);

        await api.ExecuteDbAsync(db => db.Users.Where(u => u.Id == user.Id).ExecuteDeleteAsync());

        Assert.Equal(0, await AccountRowsOf(user.Id));
        Assert.Equal(0, await FieldRowsOf(id));
    }
}
