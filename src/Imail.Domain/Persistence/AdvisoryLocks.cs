using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;

namespace Imail.Domain.Persistence;

public static class AdvisoryLocks
{
    /// <summary>
    /// Waits for, then holds until the transaction ends, PostgreSQL's advisory lock on <paramref name="key"/> (hashed to 64
    /// bits): work on one key takes turns across connections and processes. Needs an open transaction.
    /// </summary>
    public static async Task LockUntilCommitAsync(this DatabaseFacade database, string key, CancellationToken ct) =>
        await database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock(hashtextextended({key}, 0))", ct);
}
