using Imail.Domain.Persistence;
using Microsoft.Extensions.Time.Testing;

namespace Imail.Testing;

/// <summary>
/// The one dialect every fixture speaks (the API host, the jobs' services): a database of the
/// test class's own, a clock the test moves, and the same few helpers to put rows in and read
/// them back through the real model.
/// </summary>
public interface IDatabaseFixture
{
    FakeTimeProvider Clock { get; }
    string ConnectionString { get; }
}

public static class DatabaseFixtures
{
    /// <summary>Runs <paramref name="work"/> on a DbContext of its own.</summary>
    public static async Task<T> ExecuteDbAsync<T>(this IDatabaseFixture fixture, Func<ImailDbContext, Task<T>> work)
    {
        await using var db = new ImailDbContext(DatabaseSetup.Options(fixture.ConnectionString));
        return await work(db);
    }

    public static Task ExecuteDbAsync(this IDatabaseFixture fixture, Func<ImailDbContext, Task> work) =>
        fixture.ExecuteDbAsync(async db => { await work(db); return true; });

    /// <summary>Saves the entities, in one transaction.</summary>
    public static Task InsertAsync(this IDatabaseFixture fixture, params object[] entities) =>
        fixture.ExecuteDbAsync(async db =>
        {
            db.AddRange(entities);
            await db.SaveChangesAsync();
        });

    /// <summary>The entity with that key as stored now (untracked), or null.</summary>
    public static Task<T?> FindAsync<T>(this IDatabaseFixture fixture, params object[] key) where T : class =>
        fixture.ExecuteDbAsync(async db =>
        {
            var found = await db.FindAsync<T>(key);
            if (found is not null) db.Entry(found).State = Microsoft.EntityFrameworkCore.EntityState.Detached;
            return found;
        });
}
