using System.Text.Json.Nodes;
using Imail.Testing;

namespace Imail.Api.Tests.Consents;

/// <summary>The consent mutations and queries as a front-end sends them.</summary>
internal static class ConsentApi
{
    public const string StatusFields = "state showBanner firstDepositAt expiresAt cookieExpiresAt askAgainAt purposes { purpose granted effective decidedAt }";

    public const string Decide = $$"""
        mutation($input: DecideConsentInput!) {
          decideConsent(input: $input) {
            visitorId
            status { {{StatusFields}} }
            record { id action decidedAt granted refused policyVersion bannerVersion frontEnd visitorId sequence hash previousHash receipt firstDepositAt expiresAt }
            errors { __typename code message ... on InputError { field } }
          }
        }
        """;

    public const string Withdraw = $$"""
        mutation($input: WithdrawConsentInput!) {
          withdrawConsent(input: $input) {
            visitorId status { {{StatusFields}} } record { id action granted refused receipt }
            errors { code message }
          }
        }
        """;

    public const string Status = $$"""query($visitorId: ID) { consentStatus(visitorId: $visitorId) { {{StatusFields}} } }""";

    public static object Input(string? visitorId, bool statistics, bool personalisation, string policy = TestPolicy.Version, string banner = "b1") => new
    {
        visitorId,
        choices = new object[] { new { purpose = "STATISTICS", granted = statistics }, new { purpose = "PERSONALISATION", granted = personalisation } },
        policyVersion = policy,
        bannerVersion = banner,
        frontEnd = "www.imail.example",
    };

    public static async Task<JsonNode> DecideAsync(this ImailApiFactory api, object input, string? token = null)
    {
        var payload = (await api.GraphQLAsync(Decide, new { input }, token)).DataOrFail()["decideConsent"]!;
        Assert.Empty(payload["errors"]!.AsArray());
        return payload;
    }

    public const string Attach = """
        mutation($input: AttachVisitorInput!) { attachVisitor(input: $input) { visitorId status { state } errors { __typename code message } } }
        """;

    public const string RecordNavigation = """
        mutation($input: RecordNavigationInput!) { recordNavigation(input: $input) { recorded consented errors { code } } }
        """;

    /// <summary>Any decision's payload, errors included (not asserted).</summary>
    public static async Task<JsonNode> TryDecideAsync(this ImailApiFactory api, object input, string? token = null) =>
        (await api.GraphQLAsync(Decide, new { input }, token)).DataOrFail()["decideConsent"]!;

    public static async Task<JsonNode> WithdrawAsync(this ImailApiFactory api, string? visitorId, string? token, params string[] purposes) =>
        (await api.GraphQLAsync(Withdraw, new { input = new { visitorId, purposes = purposes.Length == 0 ? null : purposes, frontEnd = "www.imail.example" } }, token))
        .DataOrFail()["withdrawConsent"]!;

    public static async Task<JsonNode> AttachAsync(this ImailApiFactory api, string? visitorId, string token) =>
        (await api.GraphQLAsync(Attach, new { input = new { visitorId } }, token)).DataOrFail()["attachVisitor"]!;

    /// <summary>One page view; (recorded, consented), failing on typed errors.</summary>
    public static async Task<(int Recorded, bool Consented)> RecordNavigationAsync(this ImailApiFactory api, string? visitorId, string? token)
    {
        var payload = await api.TryRecordNavigationAsync(visitorId, token);
        Assert.Empty(payload["errors"]!.AsArray());
        return ((int)payload["recorded"]!, (bool)payload["consented"]!);
    }

    public static async Task<JsonNode> TryRecordNavigationAsync(this ImailApiFactory api, string? visitorId, string? token) =>
        (await api.GraphQLAsync(RecordNavigation, new { input = new { visitorId, frontEnd = "webmail", events = new[] { new { kind = "PAGE_VIEW", name = "/inbox" } } } }, token))
        .DataOrFail()["recordNavigation"]!;

    /// <summary>Signs up with the device's visitor id (its consent joins the account); the new account's id.</summary>
    public static async Task<Guid> SignUpAsync(this ImailApiFactory api, string? visitorId)
    {
        var response = await api.GraphQLAsync("mutation($input: SignUpInput!) { signUp(input: $input) { user { id } errors { code } } }",
            new { input = new { email = $"{Guid.NewGuid():N}@example.org", displayName = "Visitor", visitorId } });
        return Guid.Parse((string)response.DataOrFail()["signUp"]!["user"]!["id"]!);
    }

    public static async Task<JsonNode> StatusAsync(this ImailApiFactory api, string? visitorId, string? token = null) =>
        (await api.GraphQLAsync(Status, new { visitorId }, token)).DataOrFail()["consentStatus"]!;

    public static DateTimeOffset Instant(JsonNode? node) => DateTimeOffset.Parse((string)node!);

    public static JsonNode Purpose(JsonNode status, string purpose) =>
        (status["purposes"] ?? status["consents"])!.AsArray().Single(p => (string?)p!["purpose"] == purpose)!;
}
