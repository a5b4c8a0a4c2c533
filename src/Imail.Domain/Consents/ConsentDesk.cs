using Imail.Domain.Common;
using Imail.Domain.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Imail.Domain.Consents;

/// <summary>Who asks, and on which device: the signed-in account (if any) and the visitor id sent (if any).</summary>
public sealed record ConsentSubject(Guid? VisitorId, Guid? UserId);

/// <summary>What a consent operation leaves: the device's visitor id to keep in the cookie, the status for the caller on it, the proof written (null when nothing changed).</summary>
public sealed record ConsentOutcome(Guid? VisitorId, ConsentStatus Status, ConsentRecord? Record);

/// <summary>
/// Where decisions are taken and proved (P5). The rules, written out as a table in
/// <c>docs/consent-banner.md</c>:
/// <list type="bullet">
/// <item>Consent belongs to a person. A signed-in caller's consent is their account's period,
/// whatever the device; an anonymous caller's is the anonymous period of the device whose
/// visitor id they hold. One person's consent never covers another.</item>
/// <item>The device carries the cookie: its own 13 months bound what the caller sees on it
/// (<see cref="ConsentStatus.For"/>).</item>
/// <item>A device is attached to the first account that signs up or in with it; each sign-in of
/// that account takes what was decided and recorded anonymously on the device since. A device of
/// another account gives nothing and takes nothing.</item>
/// <item>Holding a device's visitor id lets one decide and withdraw for the device's anonymous
/// period, never for an account; withdrawing is allowed to anyone who holds it.</item>
/// <item>A decision that changes nothing writes no proof.</item>
/// </list>
/// One instance per unit of work; each operation commits its own transaction (or joins the caller's).
/// </summary>
public sealed class ConsentDesk(ImailDbContext db, ConsentRules rules, ReceiptSigner signer, ReceiptController controller, TimeProvider clock)
{
    public DateTimeOffset Now { get; } = ConsentRules.Truncate(clock.GetUtcNow());

    /// <summary>
    /// The consent in force for the caller on the device: the one answer behind both
    /// <c>consentStatus</c> and <c>recordNavigation</c> (P5, P6). Reads only.
    /// </summary>
    public async Task<ConsentStatus> StatusAsync(ConsentSubject subject, CancellationToken ct)
    {
        var device = subject.VisitorId is { } id ? await db.Visitors.AsNoTracking().FirstOrDefaultAsync(v => v.Id == id, ct) : null;
        return ConsentStatus.For(await InForceAsync(subject.UserId, device, ct), device, Now, rules);
    }

    /// <summary>Whether data for <paramref name="purpose"/> may be recorded for the caller on the device now (P6).</summary>
    public async Task<bool> AllowsAsync(ConsentSubject subject, ConsentPurpose purpose, CancellationToken ct) =>
        (await StatusAsync(subject, ct)).Allows(purpose);

    /// <summary>The known device of a visitor id, or null for an id Imail never issued (or no id).</summary>
    public async Task<Visitor?> KnownDeviceAsync(Guid? visitorId, CancellationToken ct) =>
        visitorId is { } id ? await db.Visitors.AsNoTracking().FirstOrDefaultAsync(v => v.Id == id, ct) : null;

    /// <summary>
    /// Records a decision for the caller's party: inside a valid period it changes answers (never
    /// the expiry); otherwise it opens a new period (a renewal). An anonymous first visit gets a
    /// new device. A decision that changes nothing (same answers, same texts, cookie still
    /// holding) writes no proof.
    /// </summary>
    public async Task<ConsentOutcome> DecideAsync(ConsentSubject subject, IReadOnlyCollection<PurposeChoice> choices,
        DecisionContext context, CancellationToken ct)
    {
        await using var transaction = await BeginAsync(ct);
        await LockAsync(subject, ct);
        var device = await DeviceAsync(subject.VisitorId, issue: subject.UserId is null, ct);
        if (subject.UserId is { } user) await JoinAccountAsync(device, user, ct);

        var current = subject.UserId is { } account ? await db.CurrentForUserAsync(account, ct) : await db.CurrentAnonymousAsync(device!.Id, ct);
        Consent consent;
        bool changed;
        if (current is not null && current.IsValidAt(Now, rules))
        {
            consent = current;
            changed = current.Decide(choices, Now);
            if (device is not null && !device.CookieHoldsAt(Now))
            {
                device.DepositCookie(Now, rules); // the cookie on this device had reached its end: this decision deposits it anew
                changed = true;
            }
            changed = changed || !await SameTextsAsLastAsync(consent, context, ct);
        }
        else
        {
            consent = Consent.Open(device?.Id, subject.UserId, choices, Now, rules);
            if (current is not null)
            {
                current.End(Now, Now >= current.ExpiresAt ? ConsentEnd.Expired : ConsentEnd.Renewed);
                await db.SaveChangesAsync(ct); // the old period ends before the new one opens: one current period each
            }
            db.Consents.Add(consent);
            device?.DepositCookie(Now, rules);
            changed = true;
        }
        var record = changed ? await WriteRecordAsync(consent, ConsentAction.Decision, subject, device, context, ct) : null;
        await db.SaveChangesAsync(ct);
        if (transaction is not null) await transaction.CommitAsync(ct);
        return new ConsentOutcome(device?.Id, ConsentStatus.For(consent, device, Now, rules), record);
    }

    /// <summary>
    /// Withdraws consent at once: the caller's party, and, for whoever holds a visitor id, the
    /// device's anonymous period too (withdrawing never grants, so holding the id is enough).
    /// Nothing in force, or nothing to change: no proof.
    /// </summary>
    public async Task<ConsentOutcome> WithdrawAsync(ConsentSubject subject, IReadOnlyCollection<ConsentPurpose>? purposes,
        string frontEnd, CancellationToken ct)
    {
        Rule.Check(subject.UserId is not null || subject.VisitorId is not null, "VISITOR_REQUIRED",
            "Pass the device's visitor id, or sign in.", "visitorId");
        await using var transaction = await BeginAsync(ct);
        await LockAsync(subject, ct);
        var device = subject.VisitorId is { } id ? await db.Visitors.FirstOrDefaultAsync(v => v.Id == id, ct) : null;
        if (subject.UserId is { } user) await JoinAccountAsync(device, user, ct);

        var periods = new List<Consent>();
        if (subject.UserId is { } account && await db.CurrentForUserAsync(account, ct) is { } own) periods.Add(own);
        if (device is not null && await db.CurrentAnonymousAsync(device.Id, ct) is { } anonymous) periods.Add(anonymous);
        ConsentRecord? first = null;
        foreach (var period in periods.Where(p => p.IsRunningAt(Now)))
        {
            if (!period.Withdraw(purposes, Now)) continue;
            var last = await LastRecordAsync(period, ct);
            var context = new DecisionContext(last?.PolicyVersion ?? "unknown", last?.BannerVersion ?? "unknown", frontEnd);
            var record = await WriteRecordAsync(period, ConsentAction.Withdrawal, subject, device, context, ct);
            first ??= record;
            await db.SaveChangesAsync(ct); // one chain at a time: the next record of a chain reads this one as its predecessor
        }
        await db.SaveChangesAsync(ct);
        if (transaction is not null) await transaction.CommitAsync(ct);
        return new ConsentOutcome(device?.Id, ConsentStatus.For(await InForceAsync(subject.UserId, device, ct), device, Now, rules), first);
    }

    /// <summary>
    /// The caller signed up or in on this device: it is attached to their account, and what was
    /// decided and recorded anonymously on it joins the account. When both have a current period,
    /// the one deposited last stays and the other ends as superseded. A device of another account
    /// is refused (<c>VISITOR_OF_ANOTHER_ACCOUNT</c>); an id Imail never issued too (<c>UNKNOWN_VISITOR_ID</c>).
    /// </summary>
    public async Task<ConsentOutcome> AttachVisitorAsync(Guid visitorId, Guid userId, CancellationToken ct)
    {
        await using var transaction = await BeginAsync(ct);
        await LockAsync(new ConsentSubject(visitorId, userId), ct);
        await RequireUserAsync(userId, ct);
        var device = await DeviceAsync(visitorId, issue: false, ct);
        await AttachAsync(device!, userId, ct);
        await db.SaveChangesAsync(ct);
        if (transaction is not null) await transaction.CommitAsync(ct);
        return new ConsentOutcome(device!.Id, ConsentStatus.For(await db.InForceForUserAsync(userId, ct), device, Now, rules), null);
    }

    /// <summary>As <see cref="AttachVisitorAsync"/> for a new account (sign-up): a device that cannot be attached is left as it is. Returns whether it was attached.</summary>
    public async Task<bool> TryAttachVisitorAsync(Guid visitorId, Guid userId, CancellationToken ct)
    {
        await using var transaction = await BeginAsync(ct);
        await LockAsync(new ConsentSubject(visitorId, userId), ct);
        var device = await db.Visitors.FirstOrDefaultAsync(v => v.Id == visitorId, ct);
        if (device is null || device.IsAttachedToAnotherThan(userId)) return false;
        await AttachAsync(device, userId, ct);
        await db.SaveChangesAsync(ct);
        if (transaction is not null) await transaction.CommitAsync(ct);
        return true;
    }

    private Task<Consent?> InForceAsync(Guid? userId, Visitor? device, CancellationToken ct) =>
        userId is { } user ? db.InForceForUserAsync(user, ct)
        : device is not null ? db.InForceAnonymousAsync(device.Id, ct)
        : Task.FromResult<Consent?>(null);

    /// <summary>The device of a visitor id (tracked); a new one when there is none and <paramref name="issue"/>; an id never issued is refused.</summary>
    private async Task<Visitor?> DeviceAsync(Guid? visitorId, bool issue, CancellationToken ct)
    {
        if (visitorId is { } id)
        {
            var known = await db.Visitors.FirstOrDefaultAsync(v => v.Id == id, ct);
            Rule.Check(known is not null, new UnknownVisitorRule());
            return known;
        }
        if (!issue) return null;
        var issued = Visitor.Issue(Now, rules);
        db.Visitors.Add(issued);
        return issued;
    }

    /// <summary>A signed-in caller acting on a device: their account must exist, and a device that is theirs or nobody's joins it first.</summary>
    private async Task JoinAccountAsync(Visitor? device, Guid userId, CancellationToken ct)
    {
        await RequireUserAsync(userId, ct);
        if (device is not null && !device.IsAttachedToAnotherThan(userId)) await AttachAsync(device, userId, ct);
    }

    private async Task RequireUserAsync(Guid userId, CancellationToken ct) =>
        Rule.Check(await db.Users.AnyAsync(u => u.Id == userId, ct), new UserMustExistRule());

    private async Task AttachAsync(Visitor device, Guid userId, CancellationToken ct)
    {
        device.AttachTo(userId, Now);
        var anonymous = await db.CurrentAnonymousAsync(device.Id, ct);
        var account = await db.CurrentForUserAsync(userId, ct);
        if (anonymous is not null && account is not null)
        {
            var older = account.FirstDepositAt <= anonymous.FirstDepositAt ? account : anonymous;
            older.End(Now, ConsentEnd.Superseded);
        }
        await db.SaveChangesAsync(ct);
        await db.Consents.Where(c => c.VisitorId == device.Id && c.UserId == null)
            .ExecuteUpdateAsync(s => s.SetProperty(c => c.UserId, userId), ct);
        await db.ConsentRecords.Where(r => r.VisitorId == device.Id && r.UserId == null)
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.UserId, userId), ct);
        // Page views recorded on the device before the sign-in are the person's from now on (listed, erased with them).
        await db.NavigationEvents.Where(n => n.VisitorId == device.Id && n.UserId == null)
            .ExecuteUpdateAsync(s => s.SetProperty(n => n.UserId, userId), ct);
        // The bulk update moved their row versions: read the tracked periods again before changing them further.
        foreach (var entry in db.ChangeTracker.Entries<Consent>().Where(e => e.Entity.VisitorId == device.Id).ToList()) await entry.ReloadAsync(ct);
    }

    private Task<ConsentRecord?> LastRecordAsync(Consent consent, CancellationToken ct) =>
        db.ConsentRecords.AsNoTracking().Where(r => r.ConsentId == consent.Id)
            .OrderByDescending(r => r.DecidedAt).ThenByDescending(r => r.Sequence).FirstOrDefaultAsync(ct);

    private async Task<bool> SameTextsAsLastAsync(Consent consent, DecisionContext context, CancellationToken ct) =>
        await LastRecordAsync(consent, ct) is { } last && last.PolicyVersion == context.PolicyVersion && last.BannerVersion == context.BannerVersion;

    /// <summary>Each party has its chain of receipts: <c>user:{id}</c> for an account, <c>visitor:{id}</c> for a device's anonymous visitor.</summary>
    private async Task<ConsentRecord> WriteRecordAsync(Consent consent, ConsentAction action, ConsentSubject subject, Visitor? device,
        DecisionContext context, CancellationToken ct)
    {
        var chain = consent.UserId is { } user ? $"user:{user}" : $"visitor:{consent.VisitorId}";
        var previous = await db.ConsentRecords.AsNoTracking().Where(r => r.ChainKey == chain)
            .OrderByDescending(r => r.Sequence).FirstOrDefaultAsync(ct);
        var record = ConsentRecord.Write(consent, action, subject.UserId is not null, device?.Id, context, previous, chain, controller, signer, Now);
        db.ConsentRecords.Add(record);
        return record;
    }

    /// <summary>
    /// Decisions of one device (and one account) take turns until commit, so two racing clicks
    /// cannot fork the receipt chain or open two periods. Device first, then account: one order, no deadlock.
    /// </summary>
    private async Task LockAsync(ConsentSubject subject, CancellationToken ct)
    {
        if (subject.VisitorId is { } visitor)
            await db.Database.LockUntilCommitAsync($"visitor:{visitor}", ct);
        if (subject.UserId is { } user)
            await db.Database.LockUntilCommitAsync($"user:{user}", ct);
    }

    /// <summary>A transaction of our own, unless the caller already opened one (sign-up attaches inside its own).</summary>
    private async Task<Microsoft.EntityFrameworkCore.Storage.IDbContextTransaction?> BeginAsync(CancellationToken ct) =>
        db.Database.CurrentTransaction is null ? await db.Database.BeginTransactionAsync(ct) : null;

    /// <summary>Checks a receipt: our signature, the record it names unchanged, and its links to its neighbours in the chain.</summary>
    public async Task<ReceiptVerification> VerifyAsync(string receipt, CancellationToken ct)
    {
        var problems = new List<string>();
        var payload = signer.Verify(receipt);
        var signatureValid = payload is not null;
        if (!signatureValid) problems.Add("SIGNATURE_INVALID");
        payload ??= ReceiptSigner.UnverifiedPayload(receipt);
        var id = payload is null ? null : ConsentReceipts.ReceiptIdOf(payload);
        if (id is null) return new ReceiptVerification(false, signatureValid, false, false, false, [.. problems, "MALFORMED_RECEIPT"], null);

        var record = await db.ConsentRecords.AsNoTracking().FirstOrDefaultAsync(r => r.Id == id, ct);
        if (record is null) return new ReceiptVerification(false, signatureValid, false, false, false, [.. problems, "RECORD_NOT_FOUND"], null);

        // The receipt kept with the record is the one issued: it must still sign exactly what the record says.
        var stored = ConsentReceipts.Payload(record);
        var intact = stored.AsSpan().SequenceEqual(payload) && ConsentReceipts.HashOf(stored) == record.Hash
            && signer.Verify(record.Receipt) is { } issued && issued.AsSpan().SequenceEqual(stored);
        // Only that exact receipt verifies: we could sign the same payload again (ECDSA is randomised),
        // and that second signature is not the proof the person was given.
        if (signatureValid && intact && !string.Equals(receipt, record.Receipt, StringComparison.Ordinal))
        {
            signatureValid = false;
            problems.Add("SIGNATURE_INVALID");
        }
        if (!intact) problems.Add("RECORD_ALTERED");

        var neighbours = await db.ConsentRecords.AsNoTracking()
            .Where(r => r.ChainKey == record.ChainKey && (r.Sequence == record.Sequence - 1 || r.Sequence == record.Sequence + 1))
            .ToListAsync(ct);
        var before = neighbours.FirstOrDefault(r => r.Sequence == record.Sequence - 1);
        var after = neighbours.FirstOrDefault(r => r.Sequence == record.Sequence + 1);
        // The head of a chain goes when its periods pass the consent_proofs retention: a first
        // surviving record without predecessor is the purged start, not a gap in the middle.
        var startPurged = before is null && record.Sequence > 1 && !await db.ConsentRecords.AsNoTracking()
            .AnyAsync(r => r.ChainKey == record.ChainKey && r.Sequence < record.Sequence, ct);
        var chainIntact =
            (record.Sequence == 1 ? record.PreviousHash is null
                : startPurged || before is not null && before.Hash == record.PreviousHash && ConsentReceipts.HashOf(ConsentReceipts.Payload(before)) == before.Hash)
            && (after is null || after.PreviousHash == record.Hash);
        if (!chainIntact) problems.Add("CHAIN_BROKEN");
        return new ReceiptVerification(problems.Count == 0, signatureValid, true, intact, chainIntact, problems, record);
    }
}

/// <summary>What checking a receipt found; <see cref="Problems"/> holds codes such as <c>RECORD_ALTERED</c>.</summary>
public sealed record ReceiptVerification(bool Valid, bool SignatureValid, bool RecordFound, bool RecordIntact, bool ChainIntact,
    IReadOnlyList<string> Problems, ConsentRecord? Record);
