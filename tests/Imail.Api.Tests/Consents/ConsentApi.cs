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

    public static object Input(string? visitorId, bool statistics, bool personalisation, string policy = "2026-11", string banner = "b1") => new
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

    public static async Task<JsonNode> StatusAsync(this ImailApiFactory api, string? visitorId, string? token = null) =>
        (await api.GraphQLAsync(Status, new { visitorId }, token)).DataOrFail()["consentStatus"]!;

    public static DateTimeOffset Instant(JsonNode? node) => DateTimeOffset.Parse((string)node!);

    public static JsonNode Purpose(JsonNode status, string purpose) =>
        (status["purposes"] ?? status["consents"])!.AsArray().Single(p => (string?)p!["purpose"] == purpose)!;
}
