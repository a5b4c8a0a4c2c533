using Imail.Domain.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Imail.Domain.Consents;

/// <summary>Who decides: the device's visitor id, the signed-in account, or both.</summary>
public sealed record ConsentSubject(Guid? VisitorId, Guid? UserId)
{
    /// <summary>The receipt chain: per device when there is a visitor id, else per account.</summary>
    public string ChainKey => VisitorId is { } visitor ? $"visitor:{visitor}" : $"user:{UserId}";
}

/// <summary>
/// Where decisions are taken and proved (P5): opening, changing, withdrawing and renewing
/// consent periods, attaching a visitor to an account, and writing the chained, signed record
/// of each decision. One instance per unit of work; the caller saves (inside a transaction when
/// a period ends and another opens, which this class starts itself).
/// </summary>
public sealed class ConsentDesk(ImailDbContext db, ConsentRules rules, ReceiptSigner signer, ReceiptController controller, TimeProvider clock)
{
    public DateTimeOffset Now { get; } = ConsentRules.Truncate(clock.GetUtcNow());

    /// <summary>The period in force for the subject: the account's, else the device's (tracked).</summary>
    public async Task<Consent?> CurrentAsync(ConsentSubject subject, CancellationToken ct)
    {
        if (subject.UserId is { } user) return await db.CurrentForUserAsync(user, ct);
        if (subject.VisitorId is not { } visitor) return null;
        // A visitor attached to an account whose period superseded the device's: the account's applies.
        var own = await db.CurrentForVisitorAsync(visitor, ct);
        if (own is not null) return own;
        var owner = await db.Consents.Where(c => c.VisitorId == visitor && c.UserId != null)
            .OrderByDescending(c => c.FirstDepositAt).Select(c => c.UserId).FirstOrDefaultAsync(ct);
        return owner is { } account ? await db.CurrentForUserAsync(account, ct) : null;
    }

    public async Task<ConsentStatus> StatusAsync(ConsentSubject subject, CancellationToken ct) =>
        ConsentStatus.Of(await CurrentAsync(subject, ct), Now, rules);

    /// <summary>Records a decision: inside a valid period it changes answers (never the expiry); otherwise it opens a new period (a renewal).</summary>
    public async Task<(Consent Consent, ConsentRecord Record)> DecideAsync(ConsentSubject subject, IReadOnlyCollection<PurposeChoice> choices,
        DecisionContext context, CancellationToken ct)
    {
        await using var transaction = await BeginAsync(ct);
        await LockAsync(subject, ct);
        if (subject is { VisitorId: { } visitor, UserId: { } user }) await AttachVisitorCoreAsync(visitor, user, ct);
        var current = await CurrentAsync(subject, ct);
        Consent consent;
        if (current is not null && current.StatusAt(Now, rules).State == ConsentState.Valid)
        {
            current.Decide(choices, Now);
            consent = current;
        }
        else
        {
            consent = Consent.Open(subject.VisitorId ?? current?.VisitorId, subject.UserId ?? current?.UserId, choices, Now, rules, clock);
            if (current is not null)
            {
                current.End(Now, Now >= current.ExpiresAt ? ConsentEnd.Expired : ConsentEnd.Renewed);
                await db.SaveChangesAsync(ct); // the old period ends before the new one opens: one current period each
            }
            db.Consents.Add(consent);
        }
        var record = await WriteRecordAsync(consent, ConsentAction.Decision, subject, context, ct);
        await db.SaveChangesAsync(ct);
        if (transaction is not null) await transaction.CommitAsync(ct);
        return (consent, record);
    }

    /// <summary>Withdraws consent at once; null when nothing was in force to withdraw.</summary>
    public async Task<(Consent? Consent, ConsentRecord? Record)> WithdrawAsync(ConsentSubject subject, IReadOnlyCollection<ConsentPurpose>? purposes,
        string frontEnd, CancellationToken ct)
    {
        await using var transaction = await BeginAsync(ct);
        await LockAsync(subject, ct);
        var current = await CurrentAsync(subject, ct);
        if (current is null || Now >= current.ExpiresAt) return (current, null);
        var last = await db.ConsentRecords.AsNoTracking().Where(r => r.ConsentId == current.Id)
            .OrderByDescending(r => r.DecidedAt).FirstOrDefaultAsync(ct);
        var context = DecisionContext.Check(last?.PolicyVersion ?? "unknown", last?.BannerVersion ?? "unknown", frontEnd);
        current.Withdraw(purposes, Now);
        var record = await WriteRecordAsync(current, ConsentAction.Withdrawal, subject, context, ct);
        await db.SaveChangesAsync(ct);
        if (transaction is not null) await transaction.CommitAsync(ct);
        return (current, record);
    }

    /// <summary>
    /// The visitor signed up or in: their periods and proofs join the account. When both have a
    /// current period, the one deposited last stays current and the other ends as superseded.
    /// </summary>
    public async Task AttachVisitorAsync(Guid visitorId, Guid userId, CancellationToken ct)
    {
        await using var transaction = await BeginAsync(ct);
        await LockAsync(new ConsentSubject(visitorId, userId), ct);
        await AttachVisitorCoreAsync(visitorId, userId, ct);
        await db.SaveChangesAsync(ct);
        if (transaction is not null) await transaction.CommitAsync(ct);
    }

    private async Task AttachVisitorCoreAsync(Guid visitorId, Guid userId, CancellationToken ct)
    {
        var device = await db.CurrentForVisitorAsync(visitorId, ct);
        if (device is not null && device.UserId is null)
        {
            var account = await db.CurrentForUserAsync(userId, ct);
            if (account is not null && account.Id != device.Id)
            {
                var older = account.FirstDepositAt <= device.FirstDepositAt ? account : device;
                older.End(Now, ConsentEnd.Superseded);
                await db.SaveChangesAsync(ct);
            }
        }
        await db.Consents.Where(c => c.VisitorId == visitorId && c.UserId == null)
            .ExecuteUpdateAsync(s => s.SetProperty(c => c.UserId, userId), ct);
        await db.ConsentRecords.Where(r => r.VisitorId == visitorId && r.UserId == null)
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.UserId, userId), ct);
        // The bulk update moved their row versions: read the tracked periods again before changing them further.
        foreach (var entry in db.ChangeTracker.Entries<Consent>().Where(e => e.Entity.VisitorId == visitorId).ToList()) await entry.ReloadAsync(ct);
    }

    private async Task<ConsentRecord> WriteRecordAsync(Consent consent, ConsentAction action, ConsentSubject subject,
        DecisionContext context, CancellationToken ct)
    {
        var chain = subject.VisitorId is null && consent.VisitorId is { } visitor ? new ConsentSubject(visitor, subject.UserId).ChainKey : subject.ChainKey;
        var previous = await db.ConsentRecords.AsNoTracking().Where(r => r.ChainKey == chain)
            .OrderByDescending(r => r.Sequence).FirstOrDefaultAsync(ct);
        var record = ConsentRecord.Write(consent, action, subject.UserId is not null, context, previous, chain, controller, signer, Now, clock);
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
            await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock(hashtextextended({"visitor:" + visitor}, 0))", ct);
        if (subject.UserId is { } user)
            await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock(hashtextextended({"user:" + user}, 0))", ct);
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
