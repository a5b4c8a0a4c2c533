using Imail.Domain.Navigation;
using Imail.Domain.Persistence;
using Imail.Worker.Purge;
using Imail.Worker.Schedules;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Imail.Worker.Tests.Purge;

/// <summary>P6/P7: navigation data lives for the registry's navigation retention, then goes, in batches.</summary>
public sealed class NavigationPurgeJobTests : IAsyncLifetime
{
    private readonly PurgeDatabase _db = new();
    private DateTimeOffset Now => _db.Clock.GetUtcNow();

    public Task InitializeAsync() => _db.InitializeAsync();
    public Task DisposeAsync() => _db.DisposeAsync();

    [Fact]
    public async Task P6_NavigationDataIsPurgedPastItsRetention()
    {
        // Seeded navigation retention: 13 months. Now is 27 November 2026 03:17 UTC.
        var boundary = new DateTimeOffset(2025, 10, 27, 3, 17, 0, TimeSpan.Zero);
        var past = await RecordAsync(boundary.AddSeconds(-1));
        var atTheBoundary = await RecordAsync(boundary);
        var recent = await RecordAsync(Now.AddDays(-1));

        var result = await RunAsync();

        Assert.Equal((1, boundary, "P1Y1M"), (result.Deleted, result.Before, result.Retention.Iso8601));
        const string line = "navigation-purge: 1 navigation events deleted (occurred before 2025-10-27 03:17:00Z, navigation retention P1Y1M); 1 statements.";
        Assert.Equal(line, result.ToString());
        Assert.Contains(line, _db.LogLines);
        Assert.Equal([atTheBoundary, recent], await RemainingAsync());
        Assert.DoesNotContain(past, await RemainingAsync());
    }

    [Fact]
    public async Task P7_AChangedRetentionInTheRegistry_ChangesWhatIsDeleted_AtTheNextRun()
    {
        var fortyDaysOld = await RecordAsync(Now.AddDays(-40));
        var tenDaysOld = await RecordAsync(Now.AddDays(-10));
        Assert.Equal(0, (await RunAsync()).Deleted);

        await _db.ExecuteAsync("UPDATE data_categories SET retention_months = 1, retention_days = 0 WHERE code = 'navigation'");

        Assert.Equal(1, (await RunAsync()).Deleted);
        Assert.Equal([tenDaysOld], await RemainingAsync());
        Assert.DoesNotContain(fortyDaysOld, await RemainingAsync());
    }

    [Fact]
    public async Task P7_TwelveThousandEvents_AreDeletedInBatchesOfTenThousand_OneShortStatementEach()
    {
        await InsertManyAsync(Now.AddMonths(-14), 12_000);
        await InsertManyAsync(Now.AddMonths(-2), 10);

        var result = await RunAsync();

        Assert.Equal((12_000, 2), (result.Deleted, result.Statements));
        var statements = _db.Statements.Select(PurgeDatabase.Folded).ToList();
        Assert.Equal(2, statements.Count);
        Assert.All(statements, sql => Assert.Equal(
            "DELETE FROM navigation_events WHERE ctid = ANY(ARRAY( SELECT ctid FROM navigation_events WHERE occurred_at < @p0 " +
            "ORDER BY occurred_at LIMIT @p1))", sql));
        Assert.Equal(10L, await _db.ScalarAsync<long>("SELECT count(*) FROM navigation_events"));
        Assert.Equal(0, (await RunAsync()).Deleted);
    }

    [Fact]
    public async Task ADryRun_CountsWhatARunThenDeletes_AndDeletesNothing()
    {
        await InsertManyAsync(Now.AddMonths(-14), 2_500);
        await InsertManyAsync(Now.AddMonths(-2), 10);
        var settings = new Dictionary<string, string?> { ["Imail:Schedules:NavigationPurge:BatchSize"] = "1000" };

        var dry = await RunAsync(settings, dryRun: true);

        Assert.Equal((true, 2_500, 3), (dry.DryRun, dry.Deleted, dry.Statements));
        Assert.Equal(2_510L, await _db.ScalarAsync<long>("SELECT count(*) FROM navigation_events"));
        Assert.StartsWith("navigation-purge, dry run: 2500 navigation events would be deleted (occurred before ", dry.ToString());
        var run = await RunAsync(settings);
        Assert.Equal((false, 2_500, 3), (run.DryRun, run.Deleted, run.Statements));
        Assert.Equal(10L, await _db.ScalarAsync<long>("SELECT count(*) FROM navigation_events"));
    }

    [Fact]
    public async Task AnOperator_RunsItByName()
    {
        var old = await RecordAsync(Now.AddMonths(-14));
        await using var services = _db.Services();

        Assert.Equal(0, await ScheduledJobs.RunJobByNameAsync(services, "navigation-purge"));

        Assert.DoesNotContain(old, await RemainingAsync());
    }

    private async Task<PurgeResult> RunAsync(IDictionary<string, string?>? settings = null, bool dryRun = false)
    {
        await using var services = _db.Services(settings);
        var job = services.GetRequiredService<NavigationPurgeJob>();
        return await (dryRun ? job.DryRunAsync(CancellationToken.None) : job.RunAsync(CancellationToken.None));
    }

    private ImailDbContext Database() => new(DatabaseSetup.Options(_db.ConnectionString));

    private async Task<Guid> RecordAsync(DateTimeOffset at)
    {
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(at);
        var navigation = NavigationEvent.Record(Guid.NewGuid(), null, NavigationKind.PageView, "/inbox", "web", clock.GetUtcNow());
        await using var db = Database();
        db.NavigationEvents.Add(navigation);
        await db.SaveChangesAsync();
        return navigation.Id;
    }

    private async Task InsertManyAsync(DateTimeOffset at, int count) => await _db.ExecuteAsync($"""
        INSERT INTO navigation_events (id, visitor_id, kind, name, front_end, occurred_at)
        SELECT gen_random_uuid(), gen_random_uuid(), 'PageView', '/inbox', 'web', '{at:O}'::timestamptz
        FROM generate_series(1, {count})
        """);

    private async Task<List<Guid>> RemainingAsync()
    {
        await using var db = Database();
        return await db.NavigationEvents.AsNoTracking().OrderBy(n => n.OccurredAt).Select(n => n.Id).ToListAsync();
    }
}
