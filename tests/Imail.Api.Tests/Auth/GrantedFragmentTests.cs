using Imail.Testing;
using Microsoft.EntityFrameworkCore;

namespace Imail.Api.Tests.Auth;

/// <summary>
/// Issue 8 item 18: what a granting mutation (signUp) returns may be read through named fragments
/// as through inline selections, and only there.
/// </summary>
public class GrantedFragmentTests(ImailApiFactory api) : IClassFixture<ImailApiFactory>
{
    private Task<int> CountUsers(string email) => api.ExecuteDbAsync(db => db.Users.CountAsync(u => u.Email == email));

    [Fact]
    public async Task Item18_AnonymousSignUp_ReadsItsUserThroughANamedFragment()
    {
        var response = await api.GraphQLAsync("""
            mutation { signUp(input: { email: "frag@example.org", displayName: "F" }) { user { ...F } errors { code } } }
            fragment F on User { id email }
            """);

        var user = response.DataOrFail()["signUp"]!["user"]!;
        Assert.Equal("frag@example.org", (string?)user["email"]);
        Assert.False(string.IsNullOrEmpty((string?)user["id"]));
    }

    [Fact]
    public async Task Item18_NestedFragments_AndInlineFragmentsInsideThem_AreGranted()
    {
        var response = await api.GraphQLAsync("""
            mutation { ...Root }
            fragment Root on Mutation { signUp(input: { email: "nested@example.org", displayName: "N" }) { ...Payload } }
            fragment Payload on SignUpPayload { user { ...Outer } errors { code } }
            fragment Outer on User { id ...Inner ... on User { locale personalData { fields } } }
            fragment Inner on User { email displayName }
            """);

        var user = response.DataOrFail()["signUp"]!["user"]!;
        Assert.Equal(("nested@example.org", "N"), ((string?)user["email"], (string?)user["displayName"]));
        Assert.NotNull(user["personalData"]);
    }

    [Fact]
    public async Task Item18_AFragmentAlsoSpreadOutsideTheGrant_IsRefused_AndNothingIsWritten()
    {
        // F is spread inside signUp, and under `me` in another operation of the same document.
        var response = await api.GraphQLAsync("""
            mutation M { signUp(input: { email: "bypass@example.org", displayName: "B" }) { user { ...F } errors { code } } }
            query Q { me { ...F } }
            fragment F on User { id email }
            """, operationName: "M");

        Assert.Null(response.Data);
        Assert.Contains("AUTH_NOT_AUTHENTICATED", response.ErrorCodes);
        Assert.Contains(response.Errors!, e => ((string?)e!["message"])!.Contains("User.email"));
        Assert.Equal(0, await CountUsers("bypass@example.org"));
    }

    [Fact]
    public async Task Item18_ANestedFragmentReachedFromOutsideTheGrant_IsRefused()
    {
        // Inner is reached granted (signUp → F → Inner) and ungranted (user(id:) → Other → Inner).
        var response = await api.GraphQLAsync("""
            mutation M { signUp(input: { email: "bypass2@example.org", displayName: "B" }) { user { ...F } errors { code } } }
            query Q { user(id: "00000000-0000-0000-0000-000000000000") { ...Other } }
            fragment F on User { id ...Inner }
            fragment Other on User { ... on User { ...Inner } }
            fragment Inner on User { email }
            """, operationName: "M");

        Assert.Null(response.Data);
        Assert.Contains("AUTH_NOT_AUTHENTICATED", response.ErrorCodes);
        Assert.Contains(response.Errors!, e => ((string?)e!["message"])!.Contains("User.email"));
        Assert.Equal(0, await CountUsers("bypass2@example.org"));
    }

    [Fact]
    public async Task Item18_ACachedDocumentWithFragments_IsCheckedAgainForEachCaller()
    {
        const string query = "query { me { ...Mine } } fragment Mine on User { email }";
        var alice = await api.CreateUserAsync("cached-frag@example.org");

        var mine = await api.GraphQLAsync(query, token: api.UserToken(alice.Id));
        Assert.Equal("cached-frag@example.org", (string?)mine.DataOrFail()["me"]!["email"]);

        var anonymous = await api.GraphQLAsync(query);
        Assert.Null(anonymous.Data);
        Assert.Contains("AUTH_NOT_AUTHENTICATED", anonymous.ErrorCodes);
    }
}
