using System.Runtime.CompilerServices;
using Imail.Domain.DataCategories;
using Imail.Domain.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Imail.Worker.Schedules;

/// <summary>What every retention purge runs on: one constructor parameter, so a purge's class stays short.</summary>
public sealed record PurgeServices(
    IDbContextFactory<ImailDbContext> Databases, TimeProvider Clock, IOptionsMonitor<ScheduleOptions> Schedules, ILoggerFactory Logs);

/// <summary>
/// A retention purge (P7, P8): the registry's retention of one data category sets the limit, read at each
/// run (staff change it there, never in code), and each step deletes what is older, in batches. A purge
/// names its category and its steps; the rest is here.
/// </summary>
public abstract class RetentionPurge : ImailJob<PurgeResult>, IDryRunJob, IRetentionJob
{
    private readonly PurgeServices _services;
    private readonly ILogger _logger;

    protected RetentionPurge(PurgeServices services) => (_services, _logger) = (services, services.Logs.CreateLogger(GetType()));

    /// <summary>The data category whose retention decides (its code in the registry).</summary>
    protected abstract string Category { get; }

    IReadOnlyCollection<string> IRetentionJob.Categories => [Category];

    /// <summary>The statements of one run, in the order they run.</summary>
    protected abstract IEnumerable<PurgeStep> Steps(RetentionLimit limit);

    public override Task<PurgeResult> RunAsync(CancellationToken ct) => RunAsync(dryRun: false, ct);

    /// <summary>
    /// What a run would do now, changing nothing: the same statements in one transaction, rolled back at
    /// the end, so the counts are exactly a run's (a later step sees what the earlier ones would have
    /// deleted). Until it ends it holds the rows' locks; a scheduled run meanwhile skips those rows.
    /// </summary>
    public Task<PurgeResult> DryRunAsync(CancellationToken ct) => RunAsync(dryRun: true, ct);

    async Task<string> IDryRunJob.DryRunOnceAsync(CancellationToken ct) => (await DryRunAsync(ct)).ToString();

    private async Task<PurgeResult> RunAsync(bool dryRun, CancellationToken ct)
    {
        var job = ScheduledJobs.All.Single(j => j.JobType == GetType());
        var batch = _services.Schedules.Get(job.Name).BatchSize;
        await using var db = await _services.Databases.CreateDbContextAsync(ct);
        var limit = new RetentionLimit(Category, await RetentionOfAsync(db, Category, ct), _services.Clock.GetUtcNow());
        await using var dry = dryRun ? await db.Database.BeginTransactionAsync(ct) : null;

        var counts = new List<PurgeCount>();
        foreach (var step in Steps(limit))
        {
            // One batch per statement, each committed on its own (unless dry), until a statement comes back short.
            var (rows, statements) = (0, 0);
            int affected;
            do
            {
                ct.ThrowIfCancellationRequested();
                affected = await db.Database.ExecuteSqlAsync(step.Statement(batch), ct);
                (rows, statements) = (rows + affected, statements + 1);
            } while (affected >= batch);
            counts.Add(new PurgeCount(step.Rows, step.Done, rows, step.Why, statements));
        }

        if (dry is not null) await dry.RollbackAsync(CancellationToken.None);

        var result = new PurgeResult(job.Name, limit, counts, dryRun);
        result.WriteTo(_logger);
        return result;
    }

    private static async Task<RetentionPeriod> RetentionOfAsync(ImailDbContext db, string categoryCode, CancellationToken ct)
    {
        var retention = await db.DataCategories.AsNoTracking()
            .Where(c => c.Code == categoryCode)
            .Select(c => new { c.RetentionMonths, c.RetentionDays })
            .SingleOrDefaultAsync(ct)
            ?? throw new InvalidOperationException($"The data category '{categoryCode}' is missing from the registry: its purge reads the retention from it.");
        return new RetentionPeriod(retention.RetentionMonths, retention.RetentionDays);
    }
}

/// <summary>One run's limit: what is dated before <see cref="Before"/>, now less the category's retention, goes.</summary>
public sealed record RetentionLimit(string Category, RetentionPeriod Retention, DateTimeOffset Now)
{
    public DateTimeOffset Before { get; } = Retention.Before(Now);

    /// <summary>Why the rows go, as the result says it: "occurred before 2025-10-27 03:17:00Z, navigation retention P1Y1M".</summary>
    public string Why(string datedBefore) => $"{datedBefore} {Before:u}, {Category} retention {Retention.Iso8601}";
}

/// <summary>One statement of a purge, for a batch size; <paramref name="Rows"/> and <paramref name="Why"/> say what it did and why.</summary>
public sealed record PurgeStep(string Rows, string Why, Func<int, FormattableString> Statement)
{
    /// <summary>What happens to the rows, as the result says it.</summary>
    public string Done { get; init; } = "deleted";

    /// <summary>
    /// The purge statement: one batch of rows read in <paramref name="orderBy"/> order (through an index) and deleted
    /// by their physical address (<c>ctid</c>: a TID scan, no second index lookup per row). "= ANY(ARRAY(…))" rather
    /// than "IN (…)": the batch is fetched once, where IN lets the planner hash-join against a scan of the whole table.
    /// With <paramref name="lockRows"/> (the default) the batch is locked skipping rows another transaction holds, so a
    /// row someone is using is left for the next run, and a run by hand next to a scheduled one shares the work. Tables
    /// whose rows are only ever inserted, never locked to add dependants (navigation events, audit lines), pass
    /// <c>false</c>: a change to such a row writes a new version at another <c>ctid</c>, which the delete then does not
    /// match, so nothing but the lock is saved — about half the time of a purge (B5). With an <paramref name="alias"/>,
    /// the lock is taken on that table alone.
    /// </summary>
    public static PurgeStep Delete(string rows, string why, string table, FormattableString where, string orderBy, string? alias = null, bool lockRows = true)
    {
        var (ctid, from, of) = alias is null ? ("ctid", table, "") : ($"{alias}.ctid", $"{table} AS {alias}", $" OF {alias}");
        var lockClause = lockRows ? $"\n  FOR UPDATE{of} SKIP LOCKED" : "";
        return new(rows, why, batch => FormattableStringFactory.Create($$"""
            DELETE FROM {{table}} WHERE ctid = ANY(ARRAY(
              SELECT {{ctid}} FROM {{from}}
              WHERE {{where.Format}}
              ORDER BY {{orderBy}} LIMIT {{{where.ArgumentCount}}}{{lockClause}}))
            """, [.. where.GetArguments(), batch]));
    }
}
