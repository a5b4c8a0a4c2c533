using System.Text.Json;
using Imail.Domain.Partners;
using Imail.Worker.Relay;
using Npgsql;
using NpgsqlTypes;

namespace Imail.Worker.Partners;

/// <summary>
/// Publishes partner events (outbox kind <c>event.*</c>): logs each in <c>partner_events</c>, in commit
/// order, and notifies the API replicas, whose subscriptions read the log from there. One transaction per
/// batch; an event logged twice (a relay crashed after logging, before recording) is logged once.
/// </summary>
public sealed partial class PartnerEventSender(RelayDatabase database, TimeProvider clock, IEnumerable<IPartnerEventFanOut> fanOuts, ILogger<PartnerEventSender> log) : IOutboxSender
{
    /// <summary>Any constant shared by every writer of the log: one at a time, so sequences are assigned in commit order.</summary>
    private const long LogWriterLock = 0x1_6D61_696C_0001;

    private readonly IPartnerEventFanOut[] _fanOuts = fanOuts.ToArray();

    public bool CanSend(string kind) => kind.StartsWith(PartnerEvents.KindPrefix, StringComparison.Ordinal);

    public async Task<DeliveryResult[]> SendAsync(IReadOnlyList<OutboxEnvelope> messages, CancellationToken ct)
    {
        var results = new DeliveryResult[messages.Count];
        var events = new List<(int Index, Guid Id, string Type, string Body, DateTimeOffset OccurredAt)>();
        for (var i = 0; i < messages.Count; i++)
        {
            var m = messages[i];
            if (ct.IsCancellationRequested)
            {
                results[i] = DeliveryResult.NotAttempted;
                continue;
            }
            try
            {
                using var body = JsonDocument.Parse(m.Payload);
                var occurredAt = body.RootElement.TryGetProperty("timestamp", out var t) && t.TryGetDateTimeOffset(out var at) ? at : m.CreatedAt;
                events.Add((i, m.Id, m.Kind[PartnerEvents.KindPrefix.Length..], m.Payload, occurredAt));
            }
            catch (JsonException e)
            {
                results[i] = DeliveryResult.Permanent($"The event's payload is not JSON: {e.Message}");
            }
        }
        if (events.Count == 0) return results;

        await using var connection = await database.DataSource.OpenConnectionAsync(CancellationToken.None);
        await using var transaction = await connection.BeginTransactionAsync(CancellationToken.None);
        await using (var batch = new NpgsqlBatch(connection, transaction))
        {
            batch.BatchCommands.Add(new NpgsqlBatchCommand("SELECT pg_advisory_xact_lock($1)") { Parameters = { new() { Value = LogWriterLock } } });
            batch.BatchCommands.Add(new NpgsqlBatchCommand("""
                INSERT INTO partner_events (id, type, body, occurred_at, logged_at)
                SELECT e.id, e.type, e.body::jsonb, e.occurred_at, $5
                FROM unnest($1::uuid[], $2::text[], $3::text[], $4::timestamptz[]) WITH ORDINALITY AS e(id, type, body, occurred_at, n)
                ORDER BY e.n
                ON CONFLICT (id) DO NOTHING
                """)
            {
                Parameters =
                {
                    new() { Value = events.ConvertAll(e => e.Id).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Uuid },
                    new() { Value = events.ConvertAll(e => e.Type).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text },
                    new() { Value = events.ConvertAll(e => e.Body).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text },
                    new() { Value = events.ConvertAll(e => e.OccurredAt).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.TimestampTz },
                    new() { Value = clock.GetUtcNow(), NpgsqlDbType = NpgsqlDbType.TimestampTz },
                },
            });
            // Delivered at commit, to every API replica listening: the payload is the newest sequence.
            batch.BatchCommands.Add(new NpgsqlBatchCommand($"SELECT pg_notify('{PartnerEvents.Channel}', (SELECT max(sequence) FROM partner_events)::text)"));
            await batch.ExecuteNonQueryAsync(CancellationToken.None);
        }
        var ids = events.ConvertAll(e => e.Id).ToArray();
        foreach (var fanOut in _fanOuts) await fanOut.FanOutAsync(connection, transaction, ids, CancellationToken.None);
        await transaction.CommitAsync(CancellationToken.None);
        foreach (var e in events) results[e.Index] = DeliveryResult.Delivered;
        Logged(events.Count);
        return results;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Logged {Count} partner events and notified the API replicas")]
    private partial void Logged(int count);
}

/// <summary>
/// What else an event owes partners once logged (webhook deliveries), written in the transaction that logs
/// it: an event is never logged without its deliveries, nor delivered before it is logged.
/// </summary>
public interface IPartnerEventFanOut
{
    Task FanOutAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, Guid[] eventIds, CancellationToken ct);
}
