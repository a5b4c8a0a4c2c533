using Imail.Testing;
using Microsoft.EntityFrameworkCore;

namespace Imail.Api.Tests.Auth;

/// <summary>
/// Issue 8 item 18: what a granting mutation (signUp, decideConsent) returns may be read through
/// named fragments as through inline selections, and only there. (<c>NewAccount</c> and
/// <c>ConsentRecord</c> are not public types: only the grant lets an anonymous caller read them.)
/// </summary>
public class GrantedFragmentTests(ImailApiFactory api) : IClassFixture<ImailApiFactory>
{
    [Fact]
    public async Task Item18_AnonymousSignUp_ReadsItsUserThroughANamedFragment()
    {
        var response = await api.GraphQLAsync("""
            mutation { signUp(input: { email: "frag@example.org", displayName: "F" }) { user { ...F } errors { code } } }
            fragment F on NewAccount { id email }
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
            fragment Root on Mutation { decideConsent(input: { choices: [{ purpose: STATISTICS, granted: true }, { purpose: PERSONALISATION, granted: false }], policyVersion: "1.0", bannerVersion: "b", frontEnd: "f" }) { ...Payload } }
            fragment Payload on ConsentDecisionPayload { record { ...Outer } errors { code } }
            fragment Outer on ConsentRecord { id ...Inner ... on ConsentRecord { receipt sequence } }
            fragment Inner on ConsentRecord { granted refused }
            """);

        var record = response.DataOrFail()["decideConsent"]!["record"]!;
        Assert.Equal(("STATISTICS", "PERSONALISATION"), ((string?)record["granted"]![0], (string?)record["refused"]![0]));
        Assert.Equal(1, (int)record["sequence"]!);
    }

    [Fact]
    public async Task Item18_AFragmentAlsoSpreadOutsideTheGrant_IsRefused_AndNothingIsWritten()
    {
        // F is spread inside signUp, and under `me` in another operation of the same document.
        var response = await api.GraphQLAsync("""
            mutation M { decideConsent(input: { choices: [{ purpose: STATISTICS, granted: true }, { purpose: PERSONALISATION, granted: true }], policyVersion: "1.0", bannerVersion: "bypass-1", frontEnd: "f" }) { record { ...F } errors { code } } }
            query Q { me { consentRecords { nodes { ...F } } } }
            fragment F on ConsentRecord { id receipt }
            """, operationName: "M");

        Assert.Null(response.Data);
        Assert.Contains("AUTH_NOT_AUTHENTICATED", response.ErrorCodes);
        Assert.Contains(response.Errors!, e => ((string?)e!["message"])!.Contains("ConsentRecord.receipt"));
        Assert.Equal(0, await api.ExecuteDbAsync(db => db.ConsentRecords.CountAsync(r => r.BannerVersion == "bypass-1")));
    }

    [Fact]
    public async Task Item18_ANestedFragmentReachedFromOutsideTheGrant_IsRefused()
    {
        // Inner is reached granted (signUp → F → Inner) and ungranted (user(id:) → Other → Inner).
        var response = await api.GraphQLAsync("""
            mutation M { decideConsent(input: { choices: [{ purpose: STATISTICS, granted: true }, { purpose: PERSONALISATION, granted: true }], policyVersion: "1.0", bannerVersion: "bypass-2", frontEnd: "f" }) { record { ...F } errors { code } } }
            query Q { consentRecords(visitorId: "00000000-0000-0000-0000-000000000001") { nodes { ...Other } } }
            fragment F on ConsentRecord { id ...Inner }
            fragment Other on ConsentRecord { ... on ConsentRecord { ...Inner } }
            fragment Inner on ConsentRecord { receipt }
            """, operationName: "M");

        Assert.Null(response.Data);
        Assert.Contains("AUTH_NOT_AUTHENTICATED", response.ErrorCodes);
        Assert.Contains(response.Errors!, e => ((string?)e!["message"])!.Contains("ConsentRecord.receipt"));
        Assert.Equal(0, await api.ExecuteDbAsync(db => db.ConsentRecords.CountAsync(r => r.BannerVersion == "bypass-2")));
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
