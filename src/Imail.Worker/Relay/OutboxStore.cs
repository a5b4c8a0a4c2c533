using Npgsql;
using NpgsqlTypes;

namespace Imail.Worker.Relay;

/// <summary>What the relay decided for one claimed message.</summary>
public readonly record struct OutboxCompletion(Guid Id, OutboxCompletionKind Kind, string? Error = null, DateTimeOffset RetryAt = default);

public enum OutboxCompletionKind { Delivered, Retry, Dead, Released, Discarded }

/// <summary>The relay's SQL: one statement claims a batch, one round trip records its results.</summary>
public sealed class OutboxStore(RelayDatabase database)
{
    private const int MaxErrorLength = 2000;

    // The inner SELECT takes due, unleased rows and skips rows another relay is claiming at this
    // very moment; the UPDATE marks them leased and returns them. The transaction ends with the
    // statement: no lock is held while the messages are delivered.
    internal const string ClaimSql = """
        UPDATE outbox_messages AS m
        SET leased_until = @leased_until, attempts = m.attempts + 1
        FROM (SELECT id FROM outbox_messages
              WHERE state = 'Pending' AND available_at <= @now AND (leased_until IS NULL OR leased_until < @now)
              ORDER BY available_at
              LIMIT @batch
              FOR UPDATE SKIP LOCKED) AS due
        WHERE m.id = due.id
        RETURNING m.id, m.kind, m.payload::text, m.attempts, m.created_at, m.discard_after
        """;

    // Results are written only over our own lease (leased_until is the claim's token), so a
    // relay that outlived its lease cannot reschedule a message another relay now holds.
    // "Delivered" is a fact whoever holds the lease, so it only requires the message to be pending.
    // A message marked to forget its payload on delivery (the erasure confirmation, P8) loses it in the same statement.
    internal const string DeliveredSql = """
        UPDATE outbox_messages SET state = 'Delivered', delivered_at = @now, leased_until = NULL, last_error = NULL,
          payload = CASE WHEN erase_payload_on_delivery THEN '{}'::jsonb ELSE payload END,
          payload_purged_at = CASE WHEN erase_payload_on_delivery THEN @now ELSE payload_purged_at END
        WHERE id = ANY(@ids) AND state = 'Pending'
        """;

    internal const string RetrySql = """
        UPDATE outbox_messages AS m SET available_at = r.available_at, last_error = r.error, leased_until = NULL
        FROM unnest(@ids, @available_at, @errors) AS r(id, available_at, error)
        WHERE m.id = r.id AND m.state = 'Pending' AND m.leased_until = @leased_until
        """;

    internal const string DeadSql = """
        UPDATE outbox_messages AS m SET state = 'Dead', dead_at = @now, last_error = r.error, leased_until = NULL
        FROM unnest(@ids, @errors) AS r(id, error)
        WHERE m.id = r.id AND m.state = 'Pending' AND m.leased_until = @leased_until
        """;

    // Claimed after its discard_after: not sent. Nothing will be sent, so the payload goes now; payload_purged_at
    // dates the discard (outbox-cleanup deletes the row at the delivery_logs retention).
    internal const string DiscardedSql = """
        UPDATE outbox_messages SET state = 'Discarded', leased_until = NULL, payload = '{}'::jsonb, payload_purged_at = @now
        WHERE id = ANY(@ids) AND state = 'Pending' AND leased_until = @leased_until
        """;

    internal const string ReleasedSql = """
        UPDATE outbox_messages SET attempts = attempts - 1, leased_until = NULL
        WHERE id = ANY(@ids) AND state = 'Pending' AND leased_until = @leased_until
        """;

    // The next retry that falls due, so the relay can sleep until then rather than a whole poll interval.
    internal const string NextDueSql = """
        SELECT min(available_at) FROM outbox_messages WHERE state = 'Pending' AND available_at > @now
        """;

    /// <summary>Leases up to <paramref name="batchSize"/> due messages until <paramref name="leasedUntil"/>, oldest due first.</summary>
    public async Task<List<OutboxEnvelope>> ClaimAsync(DateTimeOffset now, DateTimeOffset leasedUntil, int batchSize, CancellationToken ct)
    {
        await using var command = database.DataSource.CreateCommand(ClaimSql);
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("now", NpgsqlDbType.TimestampTz) { TypedValue = now });
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("leased_until", NpgsqlDbType.TimestampTz) { TypedValue = leasedUntil });
        command.Parameters.Add(new NpgsqlParameter<int>("batch", NpgsqlDbType.Integer) { TypedValue = batchSize });
        var claimed = new List<OutboxEnvelope>(batchSize);
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
            claimed.Add(new OutboxEnvelope(reader.GetGuid(0), reader.GetString(1), reader.GetString(2), reader.GetInt32(3),
                reader.GetFieldValue<DateTimeOffset>(4), reader.IsDBNull(5) ? null : reader.GetFieldValue<DateTimeOffset>(5)));
        // UUIDv7 ids: creation order, the order people expect their e-mails in.
        claimed.Sort((a, b) => a.Id.CompareTo(b.Id));
        return claimed;
    }

    /// <summary>Records a batch's results in one round trip and returns when the next retry falls due, if any.</summary>
    public async Task<DateTimeOffset?> CompleteAsync(IReadOnlyCollection<OutboxCompletion> completions, DateTimeOffset now,
        DateTimeOffset leasedUntil, CancellationToken ct)
    {
        await using var batch = database.DataSource.CreateBatch();

        void Add(string sql, OutboxCompletionKind kind, Func<IEnumerable<OutboxCompletion>, IEnumerable<NpgsqlParameter>> parameters)
        {
            var these = completions.Where(c => c.Kind == kind).ToList();
            if (these.Count == 0) return;
            var command = new NpgsqlBatchCommand(sql);
            command.Parameters.Add(new NpgsqlParameter<Guid[]>("ids", NpgsqlDbType.Array | NpgsqlDbType.Uuid) { TypedValue = these.Select(c => c.Id).ToArray() });
            if (sql.Contains("@now")) command.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("now", NpgsqlDbType.TimestampTz) { TypedValue = now });
            if (sql.Contains("@leased_until")) command.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("leased_until", NpgsqlDbType.TimestampTz) { TypedValue = leasedUntil });
            foreach (var p in parameters(these)) command.Parameters.Add(p);
            batch.BatchCommands.Add(command);
        }

        static NpgsqlParameter Errors(IEnumerable<OutboxCompletion> these) =>
            new NpgsqlParameter<string?[]>("errors", NpgsqlDbType.Array | NpgsqlDbType.Text) { TypedValue = these.Select(c => Truncate(c.Error)).ToArray() };

        Add(DeliveredSql, OutboxCompletionKind.Delivered, _ => []);
        Add(RetrySql, OutboxCompletionKind.Retry, these =>
        [
            new NpgsqlParameter<DateTimeOffset[]>("available_at", NpgsqlDbType.Array | NpgsqlDbType.TimestampTz) { TypedValue = these.Select(c => c.RetryAt).ToArray() },
            Errors(these),
        ]);
        Add(DeadSql, OutboxCompletionKind.Dead, these => [Errors(these)]);
        Add(ReleasedSql, OutboxCompletionKind.Released, _ => []);
        Add(DiscardedSql, OutboxCompletionKind.Discarded, _ => []);
        var next = new NpgsqlBatchCommand(NextDueSql);
        next.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("now", NpgsqlDbType.TimestampTz) { TypedValue = now });
        batch.BatchCommands.Add(next);

        await using var reader = await batch.ExecuteReaderAsync(ct);
        while (reader.FieldCount == 0 && await reader.NextResultAsync(ct)) { }
        return await reader.ReadAsync(ct) && !reader.IsDBNull(0) ? reader.GetFieldValue<DateTimeOffset>(0) : null;
    }

    public async Task<DateTimeOffset?> NextDueAsync(DateTimeOffset now, CancellationToken ct)
    {
        await using var command = database.DataSource.CreateCommand(NextDueSql);
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("now", NpgsqlDbType.TimestampTz) { TypedValue = now });
        await using var reader = await command.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) && !reader.IsDBNull(0) ? reader.GetFieldValue<DateTimeOffset>(0) : null;
    }

    private static string? Truncate(string? error) => error is { Length: > MaxErrorLength } ? error[..MaxErrorLength] : error;
}
