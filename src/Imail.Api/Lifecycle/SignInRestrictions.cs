using Imail.Domain.Lifecycle;
using Imail.Domain.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;

namespace Imail.Api.Lifecycle;

/// <summary>
/// Whether staff took <see cref="Capability.SignIn"/> away from an account (P11), asked by the auth
/// middleware on every request made with a <c>user</c> token. Each process remembers the answer for
/// <see cref="Remembered"/>, so read traffic does not pay a query per request; a restriction or a
/// lift made through this process forgets it at once, one made through another replica is seen
/// here at most <see cref="Remembered"/> later.
/// </summary>
public sealed class SignInRestrictions(IDbContextFactory<ImailDbContext> dbs, IMemoryCache cache)
{
    public static readonly TimeSpan Remembered = TimeSpan.FromSeconds(5);

    public async Task<bool> IsRestrictedAsync(Guid userId, CancellationToken ct)
    {
        var key = (nameof(SignInRestrictions), userId);
        if (cache.TryGetValue(key, out bool restricted)) return restricted;
        await using var db = await dbs.CreateDbContextAsync(ct);
        // An account that no longer exists is not restricted: the resolvers answer USER_NOT_FOUND.
        var restrictions = await db.Users.Where(u => u.Id == userId).Select(u => u.Restrictions).FirstOrDefaultAsync(ct);
        restricted = restrictions?.Contains(Capability.SignIn) == true;
        cache.Set(key, restricted, Remembered);
        return restricted;
    }

    /// <summary>Staff changed the account's restrictions: the next request reads them again.</summary>
    public void Forget(Guid userId) => cache.Remove((nameof(SignInRestrictions), userId));
}
