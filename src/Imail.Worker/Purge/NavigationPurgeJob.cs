using Imail.Domain.DataCategories;
using Imail.Domain.Persistence;
using Imail.Worker.Schedules;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Quartz;

namespace Imail.Worker.Purge;

public sealed record NavigationPurgeResult(int Deleted, DateTimeOffset OccurredBefore, RetentionPeriod Retention, int Statements)
{
    public override string ToString() =>
        $"{Deleted} navigation events deleted (occurred before {OccurredBefore:u}, {DataCategoryCodes.Navigation} retention {Retention.Iso8601}); {Statements} statements.";
}

/// <summary>
/// P6/P7: navigation events are kept for the retention of the <c>navigation</c> category, read
/// from the registry at each run, then deleted in batches.
/// </summary>
[DisallowConcurrentExecution]
public sealed class NavigationPurgeJob(
    IDbContextFactory<ImailDbContext> databases,
    TimeProvider clock,
    IOptionsMonitor<ScheduleOptions> schedules,
    ILogger<NavigationPurgeJob> logger) : ImailJob<NavigationPurgeResult>
{
    public override async Task<NavigationPurgeResult> RunAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var batch = schedules.Get(ScheduledJobs.NavigationPurge.Name).BatchSize;
        await using var db = await databases.CreateDbContextAsync(ct);

        var period = await db.RetentionOfAsync(DataCategoryCodes.Navigation, ct);
        var before = period.Before(now);

        // One batch per statement, read through ix_navigation_events_occurred_at and reached by primary
        // key (see OutboxCleanupJob for why "= ANY(ARRAY(…))" rather than "IN (…)").
        var deleted = await Batches.RunAsync(batch, ct, () => db.Database.ExecuteSqlAsync($$"""
            DELETE FROM navigation_events WHERE id = ANY(ARRAY(
              SELECT id FROM navigation_events
              WHERE occurred_at < {{before}}
              ORDER BY occurred_at LIMIT {{batch}}
              FOR UPDATE SKIP LOCKED))
            """, ct));

        var result = new NavigationPurgeResult(deleted.Rows, before, period, deleted.Statements);
        logger.LogInformation(
            "Navigation purge: {Deleted} navigation events deleted (occurred before {Before}, retention {Retention}), {Statements} statements",
            result.Deleted, before, period.Iso8601, result.Statements);
        return result;
    }
}
