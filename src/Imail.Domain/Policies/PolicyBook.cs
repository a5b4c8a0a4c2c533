using System.Globalization;
using Imail.Domain.Common;
using Imail.Domain.ConnectedAccounts;
using Imail.Domain.Outbox;
using Imail.Domain.Partners;
using Imail.Domain.Partners.Contracts;
using Imail.Domain.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Imail.Domain.Policies;

/// <summary><c>Imail:Policies</c>.</summary>
public sealed class PolicyOptions
{
    public const string Section = "Imail:Policies";

    /// <summary>Announcement e-mails queued per statement when a substantial version is published.</summary>
    public int AnnouncementBatchSize { get; set; } = 10_000;

    /// <summary>The zone announcements write the effective date in.</summary>
    public string TimeZone { get; set; } = "Europe/Brussels";
}

/// <summary>What publishing did: the version, and how many announcements were queued in how many statements.</summary>
public sealed record Publication(PolicyVersion Version, int Announced, int AnnouncementStatements);

/// <summary>
/// The policy's versions (P13): staff draft, edit and publish; each person's answer to a lowering version is
/// proved; and which version governs whom. One instance per unit of work.
/// </summary>
public sealed class PolicyBook(ImailDbContext db, TimeProvider clock)
{
    public DateTimeOffset Now { get; } = clock.GetUtcNow();

    public async Task<PolicyVersion> DraftAsync(string? number, PolicyVersionChange change, ConnectedAccountProviders providers, CancellationToken ct)
    {
        var version = PolicyVersion.Draft(number, change, providers, Now);
        Rule.Unique(!await db.PolicyVersions.AnyAsync(v => v.Number == version.Number, ct), "POLICY_NUMBER_TAKEN",
            $"A version numbered {version.Number} already exists.", "number");
        db.PolicyVersions.Add(version);
        await db.SaveChangesAsync(ct);
        return version;
    }

    public async Task<PolicyVersion> EditAsync(string? number, PolicyVersionChange change, ConnectedAccountProviders providers, CancellationToken ct)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var version = await LockAsync(number, ct);
        version.Edit(change, providers, Now);
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        return version;
    }

    /// <summary>
    /// Publishes a draft, in one transaction with what it owes: for a substantial version, one announcement
    /// e-mail per user in their language (set-based, in keyset batches), and for every version the partner
    /// event <c>policyVersionPublished</c>.
    /// </summary>
    public async Task<Publication> PublishAsync(string? number, PolicyOptions options, CancellationToken ct)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var version = await LockAsync(number, ct);
        version.Publish(Now);
        var (announced, statements) = version.Substantial ? await AnnounceAsync(version, options, ct) : (0, 0);
        db.EnqueuePartnerEvent(PartnerEvents.PolicyVersionPublished, PolicyContracts.Published(version), Now);
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        return new Publication(version, announced, statements);
    }

    /// <summary>
    /// One <c>INSERT … SELECT</c> per batch of users, read in id order after the last one of the previous
    /// batch: no user is loaded here, and each statement stays short however many there are. The payload is
    /// the <see cref="EmailPayload"/> the worker's e-mail sender reads, built in SQL.
    /// </summary>
    private async Task<(int Announced, int Statements)> AnnounceAsync(PolicyVersion version, PolicyOptions options, CancellationToken ct)
    {
        var zone = TimeZoneInfo.FindSystemTimeZoneById(options.TimeZone);
        var effective = TimeZoneInfo.ConvertTime(version.EffectiveAt, zone).ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture);
        var kind = EmailTemplates.KindPrefix + EmailTemplates.PolicyVersionAnnouncement;
        var lowers = version.LowersPrivacy ? "true" : "false";
        var batch = options.AnnouncementBatchSize;
        var (after, announced, statements) = (Guid.Empty, 0, 0);
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            // The id is a UUIDv7 of the publication's instant (imail_uuid_v7, as Ids.New makes them).
            var rows = await db.Database.SqlQuery<AnnouncementBatch>($"""
                WITH batch AS (
                  SELECT u.id, u.email, u.display_name, u.locale FROM users AS u
                  WHERE u.id > {after} ORDER BY u.id LIMIT {batch}
                ), queued AS (
                  INSERT INTO outbox_messages (id, kind, payload, user_id, state, created_at, available_at, attempts)
                  SELECT imail_uuid_v7({Now}::timestamptz),
                         {kind},
                         jsonb_build_object('to', b.email, 'name', b.display_name, 'locale', b.locale, 'values', jsonb_build_object(
                           'number', {version.Number}::text, 'effectiveAt', {effective}::text, 'lowersPrivacy', {lowers}::text,
                           'summary', CASE b.locale WHEN 'Nl' THEN {version.SummaryNl}::text WHEN 'En' THEN {version.SummaryEn}::text ELSE {version.SummaryFr}::text END)),
                         b.id, 'Pending', {Now}, {Now}, 0
                  FROM batch AS b
                )
                SELECT count(*)::int AS count, (SELECT l.id FROM batch AS l ORDER BY l.id DESC LIMIT 1) AS last FROM batch
                """).ToListAsync(ct);
            statements++;
            var done = rows.Single();
            announced += done.Count;
            if (done.Count < batch || done.Last is not { } last) break;
            after = last;
        }
        return (announced, statements);
    }

    /// <summary>The person's answer to a version lowering privacy, kept as proof; it changes which version governs them.</summary>
    public async Task<PolicyDecision> DecideAsync(Guid userId, string? number, PolicyDecisionKind decision, string? frontEnd, CancellationToken ct)
    {
        var user = await db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.Id == userId, ct);
        Rule.Check(user is not null, new UserMustExistRule());
        var version = await PublishedAsync(number, "number", ct);
        Rule.Check(version.LowersPrivacy, "ACCEPTANCE_NOT_NEEDED",
            $"Version {version.Number} does not lower privacy: it needs nobody's acceptance.", "number");
        Rule.Check(user!.CreatedAt < version.EffectiveAt, "ACCEPTED_AT_SIGN_UP",
            $"This account was created after version {version.Number} took effect: it was accepted at sign-up.", "number");
        var proof = PolicyDecision.Record(userId, version, decision, frontEnd, Now);
        db.PolicyDecisions.Add(proof);
        await db.SaveChangesAsync(ct);
        return proof;
    }

    /// <summary>A published version by number, or <c>UNKNOWN_POLICY_VERSION</c> naming <paramref name="field"/>.</summary>
    public async Task<PolicyVersion> PublishedAsync(string? number, string field, CancellationToken ct)
    {
        var key = number?.Trim() ?? "";
        var version = await db.PolicyVersions.AsNoTracking().FirstOrDefaultAsync(v => v.Number == key && v.Status == PolicyVersionStatus.Published, ct);
        return version ?? throw new UnknownPolicyVersionRule(field).Violation();
    }

    /// <summary>Which version governs the account (or, with no account, an anonymous visitor: the current one).</summary>
    public async Task<PolicyGovernance> GovernanceAsync(Guid? userId, CancellationToken ct)
    {
        var published = await db.PolicyVersions.AsNoTracking().Where(v => v.Status == PolicyVersionStatus.Published).ToListAsync(ct);
        if (userId is not { } id) return new PolicyGovernance(published, null, new Dictionary<string, PolicyDecisionKind>(), Now);
        var created = await db.Users.Where(u => u.Id == id).Select(u => (DateTimeOffset?)u.CreatedAt).FirstOrDefaultAsync(ct);
        var decisions = await db.PolicyDecisions.AsNoTracking().Where(d => d.UserId == id).ToListAsync(ct);
        return new PolicyGovernance(published, created, Latest(decisions), Now);
    }

    /// <summary>The latest answer per version among one person's decisions.</summary>
    public static IReadOnlyDictionary<string, PolicyDecisionKind> Latest(IEnumerable<PolicyDecision> decisions) =>
        decisions.GroupBy(d => d.PolicyNumber)
            .ToDictionary(g => g.Key, g => g.OrderByDescending(d => d.DecidedAt).ThenByDescending(d => d.Id).First().Decision);

    private async Task<PolicyVersion> LockAsync(string? number, CancellationToken ct)
    {
        var key = number?.Trim() ?? "";
        var version = (await db.PolicyVersions.FromSql($"SELECT * FROM policy_versions WHERE number = {key} FOR UPDATE").ToListAsync(ct)).FirstOrDefault();
        return version ?? throw new UnknownPolicyVersionRule().Violation();
    }

    private sealed record AnnouncementBatch(int Count, Guid? Last);
}
