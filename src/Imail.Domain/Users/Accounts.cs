using System.Globalization;
using Imail.Domain.Consents;
using Imail.Domain.Outbox;
using Imail.Domain.Persistence;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Imail.Domain.Users;

/// <summary>
/// Signing up and changing the account's address, without ever telling the caller whether an
/// address already has an account: its owner is e-mailed instead, and the caller's answer is the
/// same (issue 8, item 17). One instance per unit of work.
/// </summary>
public sealed class Accounts(ImailDbContext db, TimeProvider clock)
{
    /// <summary>
    /// Creates the account with its welcome e-mail and, given a device, attaches the device's
    /// consent (P5), in one transaction. An address in use creates nothing: its owner hears of it.
    /// Either way the caller gets <paramref name="user"/> back as it was built.
    /// </summary>
    public async Task<User> SignUpAsync(User user, Guid? visitorId, Func<ImailDbContext, ConsentDesk> desk, Func<Task<ImailDbContext>> freshDb, CancellationToken ct)
    {
        if (await TellOwnerOfAsync(db, user.Email, ct)) return user;
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        db.Users.Add(user);
        db.EnqueueEmail(EmailTemplates.SignUpConfirmation, user, clock.GetUtcNow());
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException e) when (e.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
        {
            // Two sign-ups raced past the check: the unique index decides, and the loser's answer looks the same.
            await transaction.RollbackAsync(ct);
            await using var again = await freshDb();
            await TellOwnerOfAsync(again, user.Email, ct);
            return user;
        }
        if (visitorId is { } device) await desk(db).TryAttachVisitorAsync(device, user.Id, ct);
        await transaction.CommitAsync(ct);
        return user;
    }

    /// <summary>
    /// Asks to use another address: a code goes to it, or, when another account uses it, a notice
    /// to that account's owner; the caller's account shows the same pending address either way.
    /// </summary>
    public async Task RequestEmailChangeAsync(User user, string email, CancellationToken ct)
    {
        var code = EmailChangeCodes.New();
        if (user.RequestEmailChange(email, code, clock.GetUtcNow()) is not { } address) return;
        var owner = await db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.Email == address, ct);
        if (owner is not null)
        {
            db.EnqueueEmail(EmailTemplates.EmailChangeAddressTaken, owner, clock.GetUtcNow(), new Dictionary<string, string> { ["newEmail"] = address });
            return;
        }
        db.EnqueueEmail(EmailTemplates.EmailChangeConfirmation, user, clock.GetUtcNow(), new Dictionary<string, string>
        {
            ["newEmail"] = address,
            ["code"] = code,
            ["expiresAt"] = user.PendingEmailExpiresAt!.Value.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture),
        }, toAddress: address).PointlessAfter(user.PendingEmailExpiresAt!.Value); // a code that no longer confirms anything is not sent late
    }

    /// <summary>The code was entered: the address changes, and both the former and the new address are told.</summary>
    public void ConfirmEmailChange(User user, string code)
    {
        var former = user.ConfirmEmailChange(code, clock.GetUtcNow());
        // Both addresses hear of it: the old one so that a hijacked account does not go unnoticed.
        var change = new Dictionary<string, string> { ["oldEmail"] = former, ["newEmail"] = user.Email };
        db.EnqueueEmail(EmailTemplates.EmailChangedOldAddress, user, clock.GetUtcNow(), change, toAddress: former);
        db.EnqueueEmail(EmailTemplates.EmailChangedNewAddress, user, clock.GetUtcNow(), change);
    }

    /// <summary>When an account already uses the address, its owner is told someone tried; returns whether one does.</summary>
    private async Task<bool> TellOwnerOfAsync(ImailDbContext context, string email, CancellationToken ct)
    {
        var owner = await context.Users.AsNoTracking().FirstOrDefaultAsync(u => u.Email == email, ct);
        if (owner is null) return false;
        context.EnqueueEmail(EmailTemplates.SignUpAttemptOnExistingAccount, owner, clock.GetUtcNow());
        await context.SaveChangesAsync(ct);
        return true;
    }
}

public static class AccountLocks
{
    /// <summary>
    /// The account row, locked until the transaction ends (tracked); null when there is none. Staff acting at once
    /// on the same account, or two erasures of it, wait for each other here and the later one sees the outcome.
    /// </summary>
    public static Task<User?> LockAccountAsync(this ImailDbContext db, Guid id, CancellationToken ct) =>
        db.Users.FromSql($"SELECT * FROM users WHERE id = {id} FOR UPDATE").SingleOrDefaultAsync(ct);
}
