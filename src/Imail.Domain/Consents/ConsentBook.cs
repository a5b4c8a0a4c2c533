using Imail.Domain.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Imail.Domain.Consents;

/// <summary>
/// Finding consent periods. A period belongs to one party: an account (<c>user_id</c> set), or
/// the anonymous visitor of one device (<c>user_id</c> null). The period <i>in force</i> for a
/// party is its current one, else the last one that ended, whose status says "renew".
/// </summary>
public static class ConsentBook
{
    /// <summary>The account's current (not ended) period, tracked; null when none.</summary>
    public static Task<Consent?> CurrentForUserAsync(this ImailDbContext db, Guid userId, CancellationToken ct = default) =>
        db.Consents.FirstOrDefaultAsync(c => c.UserId == userId && c.EndedAt == null, ct);

    /// <summary>The device's current anonymous period, tracked; null when none.</summary>
    public static Task<Consent?> CurrentAnonymousAsync(this ImailDbContext db, Guid visitorId, CancellationToken ct = default) =>
        db.Consents.FirstOrDefaultAsync(c => c.VisitorId == visitorId && c.UserId == null && c.EndedAt == null, ct);

    /// <summary>The account's period in force: current, else the last ended; null when never asked.</summary>
    public static Task<Consent?> InForceForUserAsync(this ImailDbContext db, Guid userId, CancellationToken ct = default) =>
        db.Consents.Where(c => c.UserId == userId)
            .OrderBy(c => c.EndedAt != null).ThenByDescending(c => c.FirstDepositAt)
            .FirstOrDefaultAsync(ct);

    /// <summary>The device's anonymous period in force: current, else the last ended; null when never asked.</summary>
    public static Task<Consent?> InForceAnonymousAsync(this ImailDbContext db, Guid visitorId, CancellationToken ct = default) =>
        db.Consents.Where(c => c.VisitorId == visitorId && c.UserId == null)
            .OrderBy(c => c.EndedAt != null).ThenByDescending(c => c.FirstDepositAt)
            .FirstOrDefaultAsync(ct);
}
