using System.Security.Claims;
using Imail.Domain.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;

namespace Imail.Api.Auth;

/// <summary>
/// Moves <c>users.last_authenticated_at</c> forward from the token's <c>auth_time</c> (else
/// <c>iat</c>): the inactivity clock of P9. One conditional UPDATE per new sign-in, not per
/// request: each process remembers for a while what it already wrote. A sign-in before the inactivity
/// deadline also cancels the deletion announced by the invitation (P9).
/// </summary>
public sealed class AuthenticationRecorder(IDbContextFactory<ImailDbContext> dbs, IMemoryCache cache, TimeProvider clock)
{

    public async Task RecordAsync(ClaimsPrincipal principal, CancellationToken ct)
    {
        if (!principal.IsInRole(Roles.User) || !Guid.TryParse(principal.FindFirstValue("sub"), out var userId)) return;
        var seconds = principal.FindFirstValue("auth_time") ?? principal.FindFirstValue("iat");
        if (!long.TryParse(seconds, out var unix)) return;
        var at = DateTimeOffset.FromUnixTimeSeconds(unix);
        var now = clock.GetUtcNow();
        if (at > now) at = now; // a clock ahead of ours must not push the deadline into the future
        var key = (nameof(AuthenticationRecorder), userId);
        if (cache.TryGetValue(key, out DateTimeOffset known) && known >= at) return;

        await using var db = await dbs.CreateDbContextAsync(ct);
        // P9: a sign-in before the inactivity deadline saves the account (a new inactivity period starts from
        // it); one at or after the deadline does not, and the inactivity job erases the account. An erasure
        // under way holds the row: this waits for it, then finds nothing to update.
        await db.Users
            .Where(u => u.Id == userId && (u.LastAuthenticatedAt == null || u.LastAuthenticatedAt < at))
            .ExecuteUpdateAsync(s => s
                .SetProperty(u => u.LastAuthenticatedAt, at)
                .SetProperty(u => u.InactivityWarnedAt, u => u.InactivityDeadline == null || at < u.InactivityDeadline ? null : u.InactivityWarnedAt)
                .SetProperty(u => u.InactivityDeadline, u => u.InactivityDeadline == null || at < u.InactivityDeadline ? null : u.InactivityDeadline), ct);
        cache.Set(key, at, TimeSpan.FromMinutes(10));
    }
}
