using System.Globalization;
using Imail.Domain.Consents;
using Imail.Domain.Outbox;
using Imail.Domain.Persistence;
using Imail.Worker.Schedules;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Quartz;

namespace Imail.Worker.Consents;

/// <summary><c>Imail:Consents</c>, as far as the expiry job is concerned.</summary>
public sealed class ConsentExpiryOptions
{
    public const string Section = "Imail:Consents";

    /// <summary>A period that ended longer ago than this before the run (the workers were down) gets no reminder: it would come too late to mean anything.</summary>
    public TimeSpan RenewalReminderStaleAfter { get; set; } = TimeSpan.FromDays(7);
}

public sealed record ConsentExpiryResult(int Ended, int RemindersQueued, int NewerPeriodCurrent, int Batches, int EndedTooLongAgo = 0)
{
    public override string ToString() =>
        $"{ScheduledJobs.ConsentExpiry.Name}: {Ended} consent periods ended at their expiry; {RemindersQueued} renewal reminders queued " +
        $"({NewerPeriodCurrent} skipped: a newer period is current; {EndedTooLongAgo} skipped: ended too long ago); {Batches} batches.";
}

/// <summary>
/// P5: a consent period ends at its expiry (first deposit + 13 months), never later, and a
/// signed-up person gets one e-mail saying they will be asked again, in the same transaction as
/// the end of the period. Rows are claimed with <c>FOR UPDATE SKIP LOCKED</c>, so a run by hand
/// next to a scheduled one (or two workers) share the rows and never remind twice.
/// </summary>
[DisallowConcurrentExecution]
public sealed class ConsentExpiryJob(
    IDbContextFactory<ImailDbContext> databases,
    TimeProvider clock,
    ConsentRules rules,
    IOptions<ConsentExpiryOptions> options,
    IOptionsMonitor<ScheduleOptions> schedules,
    ILogger<ConsentExpiryJob> logger) : ImailJob<ConsentExpiryResult>
{
    public override async Task<ConsentExpiryResult> RunAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var batch = schedules.Get(ScheduledJobs.ConsentExpiry.Name).BatchSize;
        var (ended, reminded, newer, stale, batches) = (0, 0, 0, 0, 0);
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            var (claimed, closed, queued, skipped, late) = await EndOneBatchAsync(now, batch, ct);
            (ended, reminded, newer, stale, batches) = (ended + closed, reminded + queued, newer + skipped, stale + late, batches + 1);
            if (claimed < batch) break;
        }
        var result = new ConsentExpiryResult(ended, reminded, newer, batches, stale);
        logger.LogInformation(
            "Consent expiry: {Ended} periods ended (expired by {Now}), {Reminders} renewal reminders queued, {Newer} not reminded (newer period current), {Stale} not reminded (ended too long ago), {Batches} batches",
            ended, now, reminded, newer, stale, batches);
        return result;
    }

    private async Task<(int Claimed, int Ended, int Reminded, int NewerPeriodCurrent, int EndedTooLongAgo)> EndOneBatchAsync(
        DateTimeOffset now, int batch, CancellationToken ct)
    {
        await using var db = await databases.CreateDbContextAsync(ct);
        await using var transaction = await db.Database.BeginTransactionAsync(ct);

        // Consent.IsDueToExpireAt, in SQL. The lock is held until commit: the end, the reminder and its
        // mark are one decision per period. xmin is a system column, so "*" alone does not return the
        // concurrency token.
        var due = await db.Consents.FromSql($"""
            SELECT c.*, c.xmin FROM consents AS c
            WHERE c.ended_at IS NULL AND c.expires_at <= {now}
            ORDER BY c.expires_at LIMIT {batch}
            FOR UPDATE SKIP LOCKED
            """).IgnoreAutoIncludes().ToListAsync(ct);
        if (due.Count == 0) return (0, 0, 0, 0, 0);

        var dueIds = due.Select(c => c.Id).ToList();
        var userIds = due.Where(c => c.UserId is not null).Select(c => c.UserId!.Value).Distinct().ToList();
        var users = await db.Users.Where(u => userIds.Contains(u.Id)).ToDictionaryAsync(u => u.Id, ct);
        // The accounts' other periods not ended yet; whether one still runs is the entity's rule.
        var otherPeriods = await db.Consents.AsNoTracking().IgnoreAutoIncludes()
            .Where(c => c.UserId != null && userIds.Contains(c.UserId.Value) && !dueIds.Contains(c.Id) && c.EndedAt == null)
            .ToListAsync(ct);

        // A reminder about a period that ended long before this run (the workers were down) would only confuse.
        var staleBefore = now - options.Value.RenewalReminderStaleAfter;
        var (ended, reminded, newer, stale) = (0, 0, 0, 0);
        foreach (var consent in due)
        {
            if (!consent.ExpireAt(now)) continue;
            ended++;
            // An account erased meanwhile has no address either.
            if (consent.UserId is not { } userId || !users.TryGetValue(userId, out var user)) continue;
            switch (consent.RenewalReminderAt(now, otherPeriods))
            {
                case RenewalReminder.NewerPeriodRunning:
                    newer++;
                    break;
                case RenewalReminder.Due when consent.EndedAt < staleBefore:
                    stale++;
                    break;
                case RenewalReminder.Due:
                    // The zone the periods are counted in is also the one the e-mail speaks in.
                    var endedAt = TimeZoneInfo.ConvertTime(consent.EndedAt!.Value, rules.Zone);
                    db.EnqueueEmail(EmailTemplates.ConsentRenewalReminder, user, clock.GetUtcNow(), new Dictionary<string, string>
                    {
                        ["endedAt"] = endedAt.ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture),
                    });
                    consent.MarkRenewalReminderQueued(now);
                    reminded++;
                    break;
            }
        }
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        return (due.Count, ended, reminded, newer, stale);
    }
}
