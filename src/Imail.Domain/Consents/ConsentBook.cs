using Imail.Domain.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Imail.Domain.Consents;

/// <summary>Finding the consent period in force for a visitor or an account.</summary>
public static class ConsentBook
{
    /// <summary>The visitor's current (not ended) period, tracked; null when none.</summary>
    public static Task<Consent?> CurrentForVisitorAsync(this ImailDbContext db, Guid visitorId, CancellationToken ct = default) =>
        db.Consents.FirstOrDefaultAsync(c => c.VisitorId == visitorId && c.EndedAt == null, ct);

    /// <summary>The account's current (not ended) period, tracked; null when none.</summary>
    public static Task<Consent?> CurrentForUserAsync(this ImailDbContext db, Guid userId, CancellationToken ct = default) =>
        db.Consents.FirstOrDefaultAsync(c => c.UserId == userId && c.EndedAt == null, ct);

    /// <summary>Whether data for <paramref name="purpose"/> may be recorded now for this visitor or account (P6).</summary>
    public static async Task<bool> AllowsAsync(this ImailDbContext db, Guid? visitorId, Guid? userId, ConsentPurpose purpose,
        DateTimeOffset now, CancellationToken ct = default)
    {
        var consent = (userId is { } user ? await db.CurrentForUserAsync(user, ct) : null)
            ?? (visitorId is { } visitor ? await db.CurrentForVisitorAsync(visitor, ct) : null);
        return consent?.Allows(purpose, now) == true;
    }
}
