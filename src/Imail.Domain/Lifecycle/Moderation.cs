using Imail.Domain.Common;
using Imail.Domain.Persistence;
using Imail.Domain.Users;

namespace Imail.Domain.Lifecycle;

/// <summary>
/// What staff do to an account for a terms-of-service violation (P11), without prior warning: take
/// capabilities away, give them back, or terminate it. Each act writes a line of the audit trail
/// (<see cref="StaffAction"/>: the staff member, the time, the reason) in the same transaction as the
/// change. No e-mail is sent for a restriction; a termination is the erasure of P8, whose
/// confirmation e-mail is the only message the person receives.
/// </summary>
public sealed class Moderation(ImailDbContext db, PersonalDataCatalogue catalogue, TimeProvider clock)
{
    public async Task<User> RestrictAsync(Guid account, IReadOnlyCollection<Capability> capabilities, string staff, string? reason, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var user = await LockAsync(account, ct);
        var added = user.Restrict(capabilities, now);
        db.StaffActions.Add(StaffAction.Record(staff, StaffActionKind.Restricted, user.AuditRef, reason,
            new { requested = capabilities.Distinct().Order(), added, restrictions = user.Restrictions }, now));
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        return user;
    }

    /// <summary>Gives back the given capabilities, or every one taken when <paramref name="capabilities"/> is null.</summary>
    public async Task<User> LiftAsync(Guid account, IReadOnlyCollection<Capability>? capabilities, string staff, string? reason, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var user = await LockAsync(account, ct);
        var lifted = user.Lift(capabilities, now);
        db.StaffActions.Add(StaffAction.Record(staff, StaffActionKind.RestrictionLifted, user.AuditRef, reason,
            new { lifted, restrictions = user.Restrictions }, now));
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        return user;
    }

    /// <summary>
    /// Erases the account (<see cref="ErasureReason.Termination"/>) in one transaction that first saves
    /// the <see cref="StaffActionKind.Terminated"/> line, so the erasure blanks the person's name from
    /// its reason like from every line already written about them.
    /// </summary>
    public async Task<ErasureRecord> TerminateAsync(Guid account, string staff, string? reason, CancellationToken ct)
    {
        var checkedReason = StaffAction.CheckReason(reason);
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        // Of two staff members terminating at once, the second waits here, then finds nothing.
        var user = await LockAsync(account, ct);
        db.StaffActions.Add(StaffAction.Record(staff, StaffActionKind.Terminated, user.AuditRef, checkedReason, null, clock.GetUtcNow()));
        await db.SaveChangesAsync(ct);
        var erasure = await new Erasure(db, catalogue, clock).EraseAsync(account, ErasureReason.Termination, Eraser.Staff(staff), request: null, ct);
        await transaction.CommitAsync(ct);
        return erasure.Record;
    }

    /// <summary>The account row, locked until the transaction ends: two staff members acting at once do not overwrite each other's restrictions.</summary>
    private async Task<User> LockAsync(Guid account, CancellationToken ct) =>
        await db.LockAccountAsync(account, ct) ?? throw new AccountNotFoundRule().Violation();
}

/// <summary>Staff named an account that does not exist: never did, or was erased.</summary>
public sealed record AccountNotFoundRule() : BusinessRule("USER_NOT_FOUND",
    "There is no account with this id: the id is wrong, or the account was erased.", "userId", RuleKind.NotFound);
