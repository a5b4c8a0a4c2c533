using System.Globalization;
using Imail.Domain.DataCategories;
using Imail.Domain.Lifecycle;
using Imail.Domain.Outbox;
using Imail.Domain.Persistence;
using Imail.Worker.Schedules;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Quartz;

namespace Imail.Worker.Lifecycle;

/// <summary><c>Imail:Inactivity</c>: the grace period of P9. The inactivity period itself is the registry's <c>account</c> retention.</summary>
public sealed class InactivityOptions
{
    public const string Section = "Imail:Inactivity";

    /// <summary>From the invitation to sign in until the account is erased without a sign-in.</summary>
    public TimeSpan GracePeriod { get; set; } = TimeSpan.FromDays(30);
}

/// <summary>What one run did, or a dry run would do; its text is the log line and what <c>run-job</c> prints.</summary>
public sealed record InactivityResult(
    RetentionPeriod Period, DateTimeOffset InactiveSince, TimeSpan GracePeriod, int Invited, int Erased, int Failed, int Transactions, bool DryRun = false)
{
    public override string ToString()
    {
        var why = $"not authenticated since {InactiveSince:u}, {DataCategoryCodes.Account} retention {Period.Iso8601}, grace period {GracePeriod.TotalDays:0.##} days";
        return DryRun
            ? $"{ScheduledJobs.Inactivity.Name}, dry run: {Invited} accounts would be invited to sign in ({why}); {Erased} accounts would be erased (deadline passed without a sign-in); nothing changed."
            : $"{ScheduledJobs.Inactivity.Name}: {Invited} accounts invited to sign in ({why}); {Erased} accounts erased (deadline passed without a sign-in)"
              + (Failed > 0 ? $"; {Failed} erasures failed (see the errors above; retried at the next run)" : "") + $"; {Transactions} transactions.";
    }
}

/// <summary>
/// P9: an account not authenticated for the inactivity period (the registry's <c>account</c> retention, so staff
/// set it there) gets one e-mail inviting the person to sign in before a deadline (now + grace period); an
/// account still unused at its deadline is erased (P8), by the one <see cref="Erasure"/>. A sign-in before the
/// deadline clears both marks (<c>AuthenticationRecorder</c>). Rows are claimed with <c>FOR UPDATE SKIP
/// LOCKED</c> and the marks are written in the invitation's transaction, so two workers, or a run by hand
/// next to a scheduled one, never invite twice nor erase twice.
/// </summary>
[DisallowConcurrentExecution]
public sealed class InactivityJob(
    IDbContextFactory<ImailDbContext> databases,
    TimeProvider clock,
    IOptionsMonitor<ScheduleOptions> schedules,
    IOptions<InactivityOptions> options,
    IOptions<SchedulesOptions> zone,
    ILogger<InactivityJob> logger) : ImailJob<InactivityResult>, IDryRunJob, IRetentionJob
{
    /// <summary>
    /// What the erasure of an unused account deletes: the three categories kept "36 months from the last
    /// authentication". The period is read from <c>account</c>'s retention (staff keep the three equal).
    /// </summary>
    public IReadOnlyCollection<string> Categories => [DataCategoryCodes.Identity, DataCategoryCodes.Contact, DataCategoryCodes.Account];

    public override Task<InactivityResult> RunAsync(CancellationToken ct) => RunAsync(dryRun: false, ct);

    /// <summary>Counts the accounts a run would invite and erase now; changes nothing.</summary>
    public Task<InactivityResult> DryRunAsync(CancellationToken ct) => RunAsync(dryRun: true, ct);

    async Task<string> IDryRunJob.DryRunOnceAsync(CancellationToken ct) => (await DryRunAsync(ct)).ToString();

    private async Task<InactivityResult> RunAsync(bool dryRun, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var grace = options.Value.GracePeriod;
        var batch = schedules.Get(ScheduledJobs.Inactivity.Name).BatchSize;
        RetentionPeriod period;
        await using (var db = await databases.CreateDbContextAsync(ct)) period = await PeriodAsync(db, ct);
        var since = period.Before(now);

        InactivityResult result;
        if (dryRun)
        {
            await using var db = await databases.CreateDbContextAsync(ct);
            var invite = await db.Users.CountAsync(u => u.InactivityWarnedAt == null && (u.LastAuthenticatedAt ?? u.CreatedAt) <= since, ct);
            var erase = await db.Users.CountAsync(u => u.InactivityDeadline <= now, ct);
            result = new InactivityResult(period, since, grace, invite, erase, 0, 0, DryRun: true);
        }
        else
        {
            // Erasing first: an account invited by this run is not due before its grace period anyway.
            var (erased, failed, erasures) = await EraseAsync(now, ct);
            var (invited, invitations) = (0, 0);
            int claimed;
            do
            {
                ct.ThrowIfCancellationRequested();
                claimed = await InviteOneBatchAsync(now, since, grace, batch, ct);
                (invited, invitations) = (invited + claimed, invitations + 1);
            } while (claimed >= batch);
            result = new InactivityResult(period, since, grace, invited, erased, failed, erasures + invitations);
        }
        logger.LogInformation("{Result}", result.ToString());
        return result;
    }

    /// <summary>Invites one batch of inactive accounts, each with its marks, in one transaction; returns how many.</summary>
    private async Task<int> InviteOneBatchAsync(DateTimeOffset now, DateTimeOffset since, TimeSpan grace, int batch, CancellationToken ct)
    {
        await using var db = await databases.CreateDbContextAsync(ct);
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        // User.IsDueForInactivityInvitationAt, in SQL; the lock is held until commit, so the invitation and
        // its marks are one decision (a concurrent run skips these rows and finds them marked afterwards).
        var due = await db.Users.FromSql($"""
            SELECT u.* FROM users AS u
            WHERE u.inactivity_warned_at IS NULL AND coalesce(u.last_authenticated_at, u.created_at) <= {since}
            ORDER BY coalesce(u.last_authenticated_at, u.created_at) LIMIT {batch}
            FOR UPDATE SKIP LOCKED
            """).ToListAsync(ct);
        if (due.Count == 0) return 0;

        var publisherZone = TimeZoneInfo.FindSystemTimeZoneById(zone.Value.TimeZone);
        foreach (var user in due)
        {
            var deadline = user.InviteToSignInAfterInactivity(now, grace);
            db.EnqueueEmail(EmailTemplates.InactivityInvitation, user, now, new Dictionary<string, string>
            {
                ["lastSignIn"] = Local(user.InactiveSince, publisherZone),
                ["deadline"] = Local(deadline, publisherZone),
            }).PointlessAfter(deadline); // after the deadline the account is gone: an invitation then would be a lie
        }
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        return due.Count;
    }

    /// <summary>
    /// Erases the accounts past their deadline, each in a transaction of its own (an erasure is many
    /// statements; one failing leaves the others done). An account that fails is left for the next run.
    /// </summary>
    private async Task<(int Erased, int Failed, int Transactions)> EraseAsync(DateTimeOffset now, CancellationToken ct)
    {
        var failed = new List<Guid>();
        var (erased, transactions) = (0, 0);
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            await using var db = await databases.CreateDbContextAsync(ct);
            await using var transaction = await db.Database.BeginTransactionAsync(ct);
            transactions++;
            // User.IsPastInactivityDeadlineAt, in SQL, through ix_users_inactivity_deadline. The lock keeps a
            // concurrent sign-in waiting until the erasure commits (it then finds no account).
            var failedIds = failed.ToArray();
            var account = await db.Database.SqlQuery<Guid>($"""
                SELECT id AS "Value" FROM users
                WHERE inactivity_deadline <= {now} AND NOT (id = ANY({failedIds}))
                ORDER BY inactivity_deadline LIMIT 1
                FOR UPDATE SKIP LOCKED
                """).ToListAsync(ct);
            if (account.Count == 0) break;
            try
            {
                await new Erasure(db, new PersonalDataCatalogue(db.Model), clock)
                    .EraseAsync(account[0], ErasureReason.Inactivity, Eraser.System, request: null, ct);
                await transaction.CommitAsync(ct);
                erased++;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogError(e, "Inactivity: the erasure of an account past its deadline failed; the next run tries again");
                failed.Add(account[0]);
            }
        }
        return (erased, failed.Count, transactions);
    }

    private static async Task<RetentionPeriod> PeriodAsync(ImailDbContext db, CancellationToken ct)
    {
        var account = await db.DataCategories.AsNoTracking().SingleOrDefaultAsync(c => c.Code == DataCategoryCodes.Account, ct)
            ?? throw new InvalidOperationException($"The data category '{DataCategoryCodes.Account}' is missing from the registry: the inactivity period is its retention.");
        return account.Retention;
    }

    /// <summary>As the consent reminder writes its date: ISO 8601 at the publisher's offset, which the template formats.</summary>
    private static string Local(DateTimeOffset instant, TimeZoneInfo zone) =>
        TimeZoneInfo.ConvertTime(instant, zone).ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture);
}
