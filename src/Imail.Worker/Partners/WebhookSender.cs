using System.Collections.Concurrent;
using System.Net;
using System.Text;
using Imail.Domain.Partners;
using Imail.Worker.Relay;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;
using StandardWebhooks;

namespace Imail.Worker.Partners;

/// <summary>
/// Delivers <c>webhook</c> outbox rows: POSTs the event's envelope to the endpoint, signed per Standard Webhooks
/// (<c>webhook-id</c> = the event's id, <c>webhook-timestamp</c>, <c>webhook-signature</c> with one signature per
/// secret in use). A batch's deliveries go out side by side, each with its own deadline, so a receiver that hangs
/// delays nobody else's. 2xx is delivered; 410 Gone disables the endpoint; any other answer, a timeout or a
/// connection problem is transient (the relay's retries, then a dead letter). A removed endpoint has nothing
/// more to receive: its deliveries count as delivered.
/// </summary>
public sealed partial class WebhookSender(RelayDatabase database, WebhookHttp http, TimeProvider clock,
    IOptionsMonitor<WebhookOptions> options, ILogger<WebhookSender> log) : IOutboxSender
{
    public const string DisabledByGone = "The receiver answered 410 Gone.";

    public bool CanSend(string kind) => kind == WebhookDeliveries.Kind;

    public async Task<DeliveryResult[]> SendAsync(IReadOnlyList<OutboxEnvelope> messages, CancellationToken ct)
    {
        var results = Enumerable.Repeat(DeliveryResult.NotAttempted, messages.Count).ToArray();
        var owed = new List<(int Index, WebhookDelivery Delivery)>(messages.Count);
        for (var i = 0; i < messages.Count; i++)
        {
            if (WebhookDelivery.TryParse(messages[i].Payload) is { } delivery) owed.Add((i, delivery));
            else results[i] = DeliveryResult.Permanent("The payload names no endpoint and event.");
        }
        if (owed.Count == 0 || ct.IsCancellationRequested) return results;

        var targets = await LoadAsync(owed.ConvertAll(o => o.Delivery));
        var now = clock.GetUtcNow();
        var o = options.CurrentValue;
        using var slots = new SemaphoreSlim(o.MaxConcurrentRequests);
        var gone = new ConcurrentDictionary<Guid, bool>();
        var sending = new List<Task>(owed.Count);
        for (var j = 0; j < owed.Count; j++)
        {
            var (index, delivery) = owed[j];
            var message = messages[index];
            switch (targets[j])
            {
                case { Url: null }:
                    Removed(message.Id, delivery.EndpointId);
                    results[index] = DeliveryResult.Delivered;
                    break;
                case { Disabled: true }:
                    results[index] = DeliveryResult.Permanent("The endpoint is disabled (it answered 410 Gone).");
                    break;
                case { Body: null }:
                    results[index] = DeliveryResult.Permanent("The event is no longer in the event log (past its retention).");
                    break;
                case var target:
                    var secrets = WebhookEndpoint.SigningSecrets(target.Secret!, target.PreviousSecret, target.PreviousSecretUntil, now);
                    sending.Add(Task.Run(async () =>
                    {
                        try
                        {
                            await slots.WaitAsync(ct);
                        }
                        catch (OperationCanceledException)
                        {
                            return; // not started: NotAttempted
                        }
                        try
                        {
                            results[index] = await PostAsync(message.Id, delivery, target.Url!, target.Body!, secrets, o.RequestTimeout);
                            if (results[index].Error == GoneError) gone[delivery.EndpointId] = true;
                        }
                        finally
                        {
                            slots.Release();
                        }
                    }, CancellationToken.None));
                    break;
            }
        }
        await Task.WhenAll(sending);
        if (!gone.IsEmpty) await DisableAsync(gone.Keys.ToArray(), clock.GetUtcNow());
        return results;
    }

    private const string GoneError = "HTTP 410 Gone: the endpoint is now disabled.";

    private async Task<DeliveryResult> PostAsync(Guid outboxId, WebhookDelivery delivery, string url, string body, IReadOnlyList<string> secrets, TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
            // The receiver compares this with its own clock (5 minutes either way, Standard Webhooks): the wall clock, not the rules' TimeProvider.
            var sentAt = DateTimeOffset.UtcNow;
            var id = delivery.EventId.ToString();
            request.Headers.TryAddWithoutValidation("webhook-id", id);
            request.Headers.TryAddWithoutValidation("webhook-timestamp", sentAt.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture));
            request.Headers.TryAddWithoutValidation("webhook-signature", string.Join(' ', secrets.Select(s => new StandardWebhook(s).Sign(id, sentAt, body))));
            using var response = await http.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, deadline.Token);
            var status = (int)response.StatusCode;
            if (status is >= 200 and < 300)
            {
                Sent(outboxId, delivery.EventId, status);
                return DeliveryResult.Delivered;
            }
            return response.StatusCode == HttpStatusCode.Gone
                ? DeliveryResult.Permanent(GoneError)
                : DeliveryResult.Transient($"HTTP {status} {response.ReasonPhrase}".TrimEnd());
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            return DeliveryResult.Transient($"Timed out after {timeout.TotalSeconds:0.###} s (Imail:Webhooks:RequestTimeout).");
        }
        catch (HttpRequestException e)
        {
            var refused = e.InnerException as WebhookTargetRefusedException ?? e.InnerException?.InnerException as WebhookTargetRefusedException;
            return DeliveryResult.Transient(refused?.Message ?? e.Message);
        }
    }

    /// <summary>Every delivery's endpoint and event, in one statement; a row of nulls for a removed endpoint or a purged event.</summary>
    private async Task<Target[]> LoadAsync(List<WebhookDelivery> deliveries)
    {
        await using var command = database.DataSource.CreateCommand("""
            SELECT d.n, w.url, w.secret, w.previous_secret, w.previous_secret_until, w.disabled_at IS NOT NULL, e.body::text
            FROM unnest(@endpoint_ids, @event_ids) WITH ORDINALITY AS d(endpoint_id, event_id, n)
            LEFT JOIN webhook_endpoints AS w ON w.id = d.endpoint_id
            LEFT JOIN partner_events AS e ON e.id = d.event_id
            """);
        command.Parameters.Add(new NpgsqlParameter<Guid[]>("endpoint_ids", NpgsqlDbType.Array | NpgsqlDbType.Uuid) { TypedValue = deliveries.ConvertAll(d => d.EndpointId).ToArray() });
        command.Parameters.Add(new NpgsqlParameter<Guid[]>("event_ids", NpgsqlDbType.Array | NpgsqlDbType.Uuid) { TypedValue = deliveries.ConvertAll(d => d.EventId).ToArray() });
        var targets = new Target[deliveries.Count];
        await using var reader = await command.ExecuteReaderAsync(CancellationToken.None);
        while (await reader.ReadAsync(CancellationToken.None))
        {
            string? Text(int i) => reader.IsDBNull(i) ? null : reader.GetString(i);
            targets[reader.GetInt64(0) - 1] = new Target(Text(1), Text(2), Text(3),
                reader.IsDBNull(4) ? null : reader.GetFieldValue<DateTimeOffset>(4), !reader.IsDBNull(1) && reader.GetBoolean(5), Text(6));
        }
        return targets;
    }

    private async Task DisableAsync(Guid[] endpointIds, DateTimeOffset now)
    {
        await using var command = database.DataSource.CreateCommand("""
            UPDATE webhook_endpoints SET disabled_at = @now, disabled_reason = @reason, updated_at = @now
            WHERE id = ANY(@ids) AND disabled_at IS NULL
            """);
        command.Parameters.Add(new NpgsqlParameter<Guid[]>("ids", NpgsqlDbType.Array | NpgsqlDbType.Uuid) { TypedValue = endpointIds });
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("now", NpgsqlDbType.TimestampTz) { TypedValue = now });
        command.Parameters.Add(new NpgsqlParameter<string>("reason", NpgsqlDbType.Varchar) { TypedValue = DisabledByGone });
        await command.ExecuteNonQueryAsync(CancellationToken.None);
        foreach (var id in endpointIds) Disabled(id);
    }

    private sealed record Target(string? Url, string? Secret, string? PreviousSecret, DateTimeOffset? PreviousSecretUntil, bool Disabled, string? Body);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Webhook {OutboxId} (event {EventId}) accepted with HTTP {Status}")]
    private partial void Sent(Guid outboxId, Guid eventId, int status);

    [LoggerMessage(Level = LogLevel.Information, Message = "Webhook {OutboxId}: endpoint {EndpointId} was removed, nothing to deliver")]
    private partial void Removed(Guid outboxId, Guid endpointId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook endpoint {EndpointId} answered 410 Gone: disabled")]
    private partial void Disabled(Guid endpointId);
}
