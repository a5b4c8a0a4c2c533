using Imail.Domain.Partners;
using Imail.Domain.Partners.Contracts;
using Imail.Domain.Persistence;
using Imail.Domain.Policies;
using Imail.Worker.Schedules;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Quartz;

namespace Imail.Worker.Policies;

/// <summary>What one run queued, or a dry run would queue; its text is the log line and what <c>run-job</c> prints.</summary>
public sealed record PolicyTakesEffectResult(IReadOnlyList<string> Numbers, DateTimeOffset Now, bool DryRun = false)
{
    public override string ToString() => DryRun
        ? $"{ScheduledJobs.PolicyTakesEffect.Name}, dry run: {Numbers.Count} policy versions would be announced to partners as in effect ({Listed}, effective by {Now:u}); nothing changed."
        : $"{ScheduledJobs.PolicyTakesEffect.Name}: {Numbers.Count} policy versions announced to partners as in effect ({Listed}, effective by {Now:u}).";

    private string Listed => Numbers.Count == 0 ? "none" : string.Join(", ", Numbers);
}

/// <summary>
/// P13: when a published version's effective date passes, partners hear <c>policyVersionTakesEffect</c>, once per
/// version. The versions due are claimed with <c>FOR UPDATE SKIP LOCKED</c> and marked in the transaction that
/// queues their event, so two workers (or a run by hand next to a scheduled one) never queue it twice.
/// </summary>
[DisallowConcurrentExecution]
public sealed class PolicyTakesEffectJob(
    IDbContextFactory<ImailDbContext> databases,
    TimeProvider clock,
    IOptionsMonitor<ScheduleOptions> schedules,
    ILogger<PolicyTakesEffectJob> logger) : ImailJob<PolicyTakesEffectResult>, IDryRunJob
{
    public override async Task<PolicyTakesEffectResult> RunAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var batch = schedules.Get(ScheduledJobs.PolicyTakesEffect.Name).BatchSize;
        var numbers = new List<string>();
        int claimed;
        do
        {
            ct.ThrowIfCancellationRequested();
            await using var db = await databases.CreateDbContextAsync(ct);
            await using var transaction = await db.Database.BeginTransactionAsync(ct);
            // PolicyVersion.IsInEffectAt without its event, in SQL, through ix_policy_versions_takes_effect_due.
            var due = await db.PolicyVersions.FromSql($"""
                SELECT v.* FROM policy_versions AS v
                WHERE v.status = 'Published' AND v.takes_effect_event_at IS NULL AND v.effective_at <= {now}
                ORDER BY v.effective_at LIMIT {batch}
                FOR UPDATE SKIP LOCKED
                """).ToListAsync(ct);
            foreach (var version in due)
            {
                version.MarkTakesEffectEventQueued(now);
                db.EnqueuePartnerEvent(PartnerEvents.PolicyVersionTakesEffect, PolicyContracts.TakesEffect(version), now);
                numbers.Add(version.Number);
            }
            await db.SaveChangesAsync(ct);
            await transaction.CommitAsync(ct);
            claimed = due.Count;
        } while (claimed >= batch);
        var result = new PolicyTakesEffectResult(numbers, now);
        logger.LogInformation("{Result}", result.ToString());
        return result;
    }

    public async Task<PolicyTakesEffectResult> DryRunAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        await using var db = await databases.CreateDbContextAsync(ct);
        var numbers = await db.PolicyVersions.AsNoTracking()
            .Where(v => v.Status == PolicyVersionStatus.Published && v.TakesEffectEventAt == null && v.EffectiveAt <= now)
            .OrderBy(v => v.EffectiveAt).Select(v => v.Number).ToListAsync(ct);
        var result = new PolicyTakesEffectResult(numbers, now, DryRun: true);
        logger.LogInformation("{Result}", result.ToString());
        return result;
    }

    async Task<string> IDryRunJob.DryRunOnceAsync(CancellationToken ct) => (await DryRunAsync(ct)).ToString();
}
