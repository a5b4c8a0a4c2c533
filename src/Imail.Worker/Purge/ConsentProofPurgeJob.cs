using Imail.Domain.DataCategories;
using Imail.Domain.Persistence;
using Imail.Worker.Schedules;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Quartz;

namespace Imail.Worker.Purge;

public sealed record ConsentProofPurgeResult(int Deleted, DateTimeOffset DecidedBefore, RetentionPeriod Retention, int Statements, int DevicesDeleted = 0)
{
    public override string ToString() =>
        $"{Deleted} ended consent periods deleted with their choices and proofs (last decision before {DecidedBefore:u}, {DataCategoryCodes.ConsentProofs} retention {Retention.Iso8601}); " +
        $"{DevicesDeleted} devices no proof refers to any more deleted; {Statements} statements.";
}

/// <summary>
/// P5/P7/P8: proofs of consent are kept for the retention of the <c>consent_proofs</c> category,
/// counted from the decision and read from the registry at each run. A consent period goes, with
/// its choices and its records (ON DELETE CASCADE), once it has ended and its last decision is
/// older than that retention; a current period is never deleted, however old.
/// </summary>
[DisallowConcurrentExecution]
public sealed class ConsentProofPurgeJob(
    IDbContextFactory<ImailDbContext> databases,
    TimeProvider clock,
    IOptionsMonitor<ScheduleOptions> schedules,
    ILogger<ConsentProofPurgeJob> logger) : ImailJob<ConsentProofPurgeResult>
{
    public override async Task<ConsentProofPurgeResult> RunAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var batch = schedules.Get(ScheduledJobs.ConsentProofPurge.Name).BatchSize;
        await using var db = await databases.CreateDbContextAsync(ct);

        var period = await db.RetentionOfAsync(DataCategoryCodes.ConsentProofs, ct);
        var before = period.Before(now);

        // A period is a candidate once it has ended and no record of it was decided at or after the
        // limit. The first deposit is the period's first decision (no record predates it), so
        // "first_deposit_at < before" only narrows the scan, and also covers a period left without
        // records. Rows are reached by primary key (see OutboxCleanupJob for "= ANY(ARRAY(…))");
        // the choices and records go with their period by cascade, in the same statement.
        var deleted = await Batches.RunAsync(batch, ct, () => db.Database.ExecuteSqlAsync($$"""
            DELETE FROM consents WHERE id = ANY(ARRAY(
              SELECT c.id FROM consents AS c
              WHERE c.ended_at IS NOT NULL AND c.first_deposit_at < {{before}}
                AND NOT EXISTS (SELECT 1 FROM consent_records AS r WHERE r.consent_id = c.id AND r.decided_at >= {{before}})
              ORDER BY c.first_deposit_at LIMIT {{batch}}
              FOR UPDATE OF c SKIP LOCKED))
            """, ct));

        // A device goes once its cookie ended before the same limit and no period, proof or
        // navigation event names it any more: its id proved nothing left.
        var devices = await Batches.RunAsync(batch, ct, () => db.Database.ExecuteSqlAsync($$"""
            DELETE FROM visitors WHERE id = ANY(ARRAY(
              SELECT v.id FROM visitors AS v
              WHERE v.cookie_expires_at < {{before}}
                AND NOT EXISTS (SELECT 1 FROM consents AS c WHERE c.visitor_id = v.id)
                AND NOT EXISTS (SELECT 1 FROM consent_records AS r WHERE r.visitor_id = v.id)
                AND NOT EXISTS (SELECT 1 FROM navigation_events AS n WHERE n.visitor_id = v.id)
              ORDER BY v.cookie_expires_at LIMIT {{batch}}
              FOR UPDATE OF v SKIP LOCKED))
            """, ct));

        var result = new ConsentProofPurgeResult(deleted.Rows, before, period, deleted.Statements + devices.Statements, devices.Rows);
        logger.LogInformation(
            "Consent proof purge: {Deleted} ended consent periods deleted with their choices and proofs (last decision before {Before}, retention {Retention}), {Devices} devices, {Statements} statements",
            result.Deleted, before, period.Iso8601, result.DevicesDeleted, result.Statements);
        return result;
    }
}
