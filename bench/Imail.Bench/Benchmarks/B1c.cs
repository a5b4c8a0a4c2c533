using Imail.Bench.DbFree;
using Imail.Bench.Hosting;
using Imail.Bench.Reporting;
using Microsoft.EntityFrameworkCore;

namespace Imail.Bench.Benchmarks;

/// <summary>
/// B1c: B1's query with no database, so only the GraphQL pipeline (transport, parse, validate,
/// access rule, complexity, execute, DataLoader, serialise) is weighed against a hand-written
/// endpoint that writes the same JSON from the same objects. See <see cref="DbFreeFields"/>.
/// </summary>
public sealed class B1c : ThroughputBenchmark
{
    public override string Id => "B1c";
    protected override string What => "B1's query without database vs hand-written endpoint (same JSON)";
    protected override double MinimumRatio => 0.5;
    protected override string Field => "benchMe";
    protected override string BaselinePath => BaselineHost.InMemoryMePath;
    protected override string Query => DbFreeFields.Query;

    /// <summary>Loads the user, their current consent period and their connected accounts once; both sides answer from these objects.</summary>
    protected override async Task PrepareAsync(BenchContext c)
    {
        var (user, consent, accounts) = await c.Api.ExecuteDbAsync(async db => (
            await db.Users.AsNoTracking().SingleAsync(u => u.Id == c.UserId, c.Cancellation),
            await db.Consents.AsNoTracking().SingleOrDefaultAsync(x => x.UserId == c.UserId && x.EndedAt == null, c.Cancellation),
            await db.ConnectedAccounts.AsNoTracking().Where(a => a.UserId == c.UserId).OrderBy(a => a.Id).ToListAsync(c.Cancellation)));
        c.Api.InMemory.Consent = consent;
        c.Api.InMemory.ConnectedAccounts = accounts;
        c.Api.InMemory.User = user;
    }

    protected override void CheckSql(ResultRow row, IReadOnlyList<string> graphql, IReadOnlyList<string> baseline)
    {
        row.Check(graphql.Count == 0 && baseline.Count == 0,
            $"neither side touches the database ({graphql.Count} and {baseline.Count} statements)");
        row.Notes.Add("`benchMe` exists only in the bench's host: the schema has no DB-free field of B1's shape. It returns "
                      + "a `BenchUser` with `me`'s `consents` and `connectedAccounts` from a user, consent period and accounts loaded at start-up; "
                      + "both fields go through the request's batch loaders (fed from memory) as the production ones do, `consents` through "
                      + "the production `ConsentStatus.Of` and `PurposeConsent` type, `connectedAccounts` through the production "
                      + "`ConnectedAccount`/`SharedField` types. The transport, access rules, complexity analyser and serializer are the production ones.");
    }
}
