using System.Text.Json.Nodes;
using Imail.Domain.Outbox;
using Imail.Testing;
using Microsoft.EntityFrameworkCore;

namespace Imail.Api.Tests.Lifecycle;

/// <summary>The deletion mutations (P10) as the front-end and staff write them, and what the tests read back.</summary>
internal static class DeletionApi
{
    public const string Fields = "id channel state receivedAt dueAt extendedByMonths extensionReason requester codeExpiresAt closedAt user { id }";

    public const string Request = $$"""mutation { requestAccountDeletion(input: {}) { deletionRequest { {{Fields}} } errors { __typename code message } } }""";

    public const string Confirm = """mutation($code: String!) { confirmAccountDeletion(input: { code: $code }) { erasedAt errors { __typename code message } } }""";

    public const string Cancel = $$"""mutation { cancelAccountDeletion(input: {}) { deletionRequest { {{Fields}} } errors { __typename code message } } }""";

    public const string Record = $$"""
        mutation($userId: ID!, $channel: DeletionRequestChannel!, $requester: String!, $receivedAt: DateTimeOffset) {
          recordDeletionRequest(input: { userId: $userId, channel: $channel, requester: $requester, receivedAt: $receivedAt }) {
            deletionRequest { {{Fields}} recordedBy } errors { __typename code message }
          }
        }
        """;

    public const string Extend = $$"""
        mutation($id: ID!, $months: Int!, $reason: String!) {
          extendDeletionRequest(input: { id: $id, months: $months, reason: $reason }) { deletionRequest { {{Fields}} } errors { __typename code message } }
        }
        """;

    public const string CancelByStaff = $$"""
        mutation($id: ID!, $reason: String!) {
          cancelDeletionRequest(input: { id: $id, reason: $reason }) { deletionRequest { {{Fields}} } errors { __typename code message } }
        }
        """;

    public const string CarryOut = $$"""
        mutation($id: ID!) { carryOutDeletionRequest(input: { id: $id }) { deletionRequest { {{Fields}} } erasedAt errors { __typename code message } } }
        """;

    /// <summary>The payload of the one root field of a response, failing on transport errors.</summary>
    public static JsonNode Payload(this GraphQLResponse response, string field) => response.DataOrFail()[field]!;

    public static string[] Codes(this JsonNode payload) => payload["errors"]!.AsArray().Select(e => (string)e!["code"]!).ToArray();

    public static JsonNode Ok(this JsonNode payload)
    {
        Assert.True(payload["errors"]!.AsArray().Count == 0, payload.ToJsonString());
        return payload;
    }

    public static DateTimeOffset Instant(this JsonNode? value) => DateTimeOffset.Parse((string)value!, System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The newest e-mail of that template queued for the account, with its values.</summary>
    public static async Task<(OutboxMessage Message, JsonObject Values)> LastEmailAsync(this ImailApiFactory api, Guid userId, string template)
    {
        var message = await api.ExecuteDbAsync(db => db.OutboxMessages.AsNoTracking()
            .Where(m => m.UserId == userId && m.Kind == EmailTemplates.KindPrefix + template).OrderByDescending(m => m.Id).FirstAsync());
        return (message, JsonNode.Parse(message.Payload)!["values"]!.AsObject());
    }

    /// <summary>The code the person reads in the e-mail.</summary>
    public static async Task<string> CodeAsync(this ImailApiFactory api, Guid userId) =>
        (string)(await api.LastEmailAsync(userId, EmailTemplates.DeletionConfirmationCode)).Values["code"]!;
}
