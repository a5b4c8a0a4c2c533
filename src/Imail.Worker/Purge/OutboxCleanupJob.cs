using Imail.Domain.DataCategories;
using Imail.Domain.Persistence;
using Imail.Worker.Schedules;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Quartz;

namespace Imail.Worker.Purge;

/// <summary><c>Imail:Outbox</c>, as far as the clean-up is concerned.</summary>
public sealed class OutboxCleanupOptions
{
    public const string Section = "Imail:Outbox";

    /// <summary>How long a delivered message keeps its payload (address, name, template values).</summary>
    public TimeSpan PurgePayloadAfter { get; set; } = TimeSpan.FromDays(1);
}

public sealed record OutboxCleanupResult(
    int Deleted, DateTimeOffset DeletedDeliveredBefore, RetentionPeriod Retention,
    int PayloadsPurged, DateTimeOffset PurgedDeliveredBefore, int Statements)
{
    public override string ToString() =>
        $"{Deleted} delivered messages deleted (delivered before {DeletedDeliveredBefore:u}, {DataCategoryCodes.DeliveryLogs} retention {Retention.Iso8601}); " +
        $"{PayloadsPurged} payloads emptied (delivered before {PurgedDeliveredBefore:u}); {Statements} statements.";
}

/// <summary>
/// P7 for the outbox. Delivered messages lose the personal part of their payload after
/// <see cref="OutboxCleanupOptions.PurgePayloadAfter"/>, and are deleted once older than the
/// <c>delivery_logs</c> retention, read from the registry at each run. Pending messages are not
/// touched, nor are dead ones: staff must still see and requeue them.
/// </summary>
[DisallowConcurrentExecution]
public sealed class OutboxCleanupJob(
    IDbContextFactory<ImailDbContext> databases,
    TimeProvider clock,
    IOptions<OutboxCleanupOptions> outbox,
    IOptionsMonitor<ScheduleOptions> schedules,
    ILogger<OutboxCleanupJob> logger) : ImailJob<OutboxCleanupResult>
{
    public override async Task<OutboxCleanupResult> RunAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var batch = schedules.Get(ScheduledJobs.OutboxCleanup.Name).BatchSize;
        await using var db = await databases.CreateDbContextAsync(ct);

        var period = await db.RetentionOfAsync(DataCategoryCodes.DeliveryLogs, ct);
        var deleteBefore = period.Before(now);
        var purgeBefore = now - outbox.Value.PurgePayloadAfter;

        // Deleting first: no point emptying payloads of rows about to go. Each statement takes one
        // batch (SKIP LOCKED: a run by hand next to a scheduled one shares the work) and commits.
        // "= ANY(ARRAY(…))" rather than "IN (…)": the batch is fetched once and the rows found by
        // primary key, where IN lets the planner hash-join against a scan of the whole table.
        var deleted = await Batches.RunAsync(batch, ct, () => db.Database.ExecuteSqlAsync($$"""
            DELETE FROM outbox_messages WHERE id = ANY(ARRAY(
              SELECT id FROM outbox_messages
              WHERE state = 'Delivered' AND delivered_at < {{deleteBefore}}
              ORDER BY delivered_at LIMIT {{batch}}
              FOR UPDATE SKIP LOCKED))
            """, ct));
        var purged = await Batches.RunAsync(batch, ct, () => db.Database.ExecuteSqlAsync($$"""
            UPDATE outbox_messages SET payload = '{}'::jsonb, payload_purged_at = {{now}}
            WHERE id = ANY(ARRAY(
              SELECT id FROM outbox_messages
              WHERE state = 'Delivered' AND payload_purged_at IS NULL AND delivered_at < {{purgeBefore}}
              ORDER BY delivered_at LIMIT {{batch}}
              FOR UPDATE SKIP LOCKED))
            """, ct));

        var result = new OutboxCleanupResult(deleted.Rows, deleteBefore, period, purged.Rows, purgeBefore, deleted.Statements + purged.Statements);
        logger.LogInformation(
            "Outbox clean-up: {Deleted} delivered messages deleted (delivered before {DeletedBefore}, retention {Retention}), {Purged} payloads emptied (delivered before {PurgedBefore}), {Statements} statements",
            result.Deleted, deleteBefore, period.Iso8601, result.PayloadsPurged, purgeBefore, result.Statements);
        return result;
    }
}

/// <summary>Repeats a bounded statement until it affects fewer rows than a batch: no statement runs long.</summary>
internal static class Batches
{
    public static async Task<(int Rows, int Statements)> RunAsync(int batchSize, CancellationToken ct, Func<Task<int>> statement)
    {
        var rows = 0;
        var statements = 0;
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            var affected = await statement();
            rows += affected;
            statements++;
            if (affected < batchSize) return (rows, statements);
        }
    }
}
