using Imail.Worker.Purge;
using Microsoft.Extensions.DependencyInjection;

namespace Imail.Worker.Tests.Purge;

/// <summary>P7/P8: staff actions, erasure records, closed deletion requests and the statistics request log (P3) live for the registry's security_logs retention.</summary>
public sealed class SecurityLogPurgeJobTests : IAsyncLifetime
{
    private readonly PurgeDatabase _db = new();
    private DateTimeOffset Now => _db.Clock.GetUtcNow();

    public Task InitializeAsync() => _db.InitializeAsync();
    public Task DisposeAsync() => _db.DisposeAsync();

    [Fact]
    public async Task P7_SecurityLogsAreDeletedPastTheirRetention_AnOpenDeletionRequestNever()
    {
        // Seeded security_logs retention: 12 months. Now is 27 November 2026 03:17 UTC.
        var boundary = new DateTimeOffset(2025, 11, 27, 3, 17, 0, TimeSpan.Zero);
        var oldAction = await StaffActionAsync(boundary.AddSeconds(-1));
        var keptAction = await StaffActionAsync(boundary);
        var oldErasure = await ErasureAsync(boundary.AddSeconds(-1));
        var keptErasure = await ErasureAsync(boundary);
        var oldClosed = await RequestAsync(received: boundary.AddMonths(-2), closed: boundary.AddSeconds(-1));
        var keptClosed = await RequestAsync(received: boundary.AddMonths(-2), closed: boundary);
        var open = await RequestAsync(received: boundary.AddMonths(-6), closed: null);
        var oldQuestion = await StatisticsRequestAsync(boundary.AddSeconds(-1));
        var keptQuestion = await StatisticsRequestAsync(boundary);

        var result = await RunAsync();

        Assert.Equal([1, 1, 1, 1], result.Counts.Select(c => c.Count));
        Assert.Equal("security-log-purge: 1 staff actions deleted (done before 2025-11-27 03:17:00Z, security_logs retention P1Y); " +
            "1 erasure records deleted (erased before 2025-11-27 03:17:00Z, security_logs retention P1Y); " +
            "1 closed deletion requests deleted (closed before 2025-11-27 03:17:00Z, security_logs retention P1Y); " +
            "1 statistics requests deleted (asked before 2025-11-27 03:17:00Z, security_logs retention P1Y); 4 statements.", result.ToString());
        Assert.Equal([keptAction], await IdsAsync("staff_actions"));
        Assert.Equal([keptErasure], await IdsAsync("erasures"));
        Assert.Equal(new[] { keptClosed, open }.Order(), (await IdsAsync("deletion_requests")).Order());
        Assert.DoesNotContain(oldAction, await IdsAsync("staff_actions"));
        Assert.DoesNotContain(oldErasure, await IdsAsync("erasures"));
        Assert.DoesNotContain(oldClosed, await IdsAsync("deletion_requests"));
        Assert.Equal([keptQuestion], await IdsAsync("statistics_requests"));
        Assert.DoesNotContain(oldQuestion, await IdsAsync("statistics_requests"));
        Assert.Equal([0, 0, 0, 0], (await RunAsync()).Counts.Select(c => c.Count));
    }

    [Fact]
    public async Task P7_BatchesAndADryRun_CountThenDelete()
    {
        await _db.ExecuteAsync($"""
            INSERT INTO staff_actions (id, at, actor, action, subject, reason, details)
            SELECT gen_random_uuid(), '{Now.AddMonths(-13):O}', 'staff-1', 'Restricted', gen_random_uuid(), 'r', jsonb_build_object() FROM generate_series(1, 2500)
            """);
        await StaffActionAsync(Now.AddMonths(-1));
        var settings = new Dictionary<string, string?> { ["Imail:Schedules:SecurityLogPurge:BatchSize"] = "1000" };

        var dry = await RunAsync(settings, dryRun: true);
        Assert.Equal((true, 2_500, 6), (dry.DryRun, dry.Deleted, dry.Statements));
        Assert.Equal(2_501L, await _db.ScalarAsync<long>("SELECT count(*) FROM staff_actions"));

        var run = await RunAsync(settings);
        Assert.Equal((2_500, 6), (run.Deleted, run.Statements));
        Assert.Equal(1L, await _db.ScalarAsync<long>("SELECT count(*) FROM staff_actions"));
        Assert.Contains("DELETE FROM staff_actions WHERE ctid = ANY(ARRAY( SELECT ctid FROM staff_actions WHERE at < @p0 ORDER BY at LIMIT @p1))",
            _db.Statements.Select(PurgeDatabase.Folded));
    }

    private async Task<Imail.Worker.Schedules.PurgeResult> RunAsync(IDictionary<string, string?>? settings = null, bool dryRun = false)
    {
        await using var services = _db.Services(settings);
        var job = services.GetRequiredService<SecurityLogPurgeJob>();
        return await (dryRun ? job.DryRunAsync(CancellationToken.None) : job.RunAsync(CancellationToken.None));
    }

    private async Task<Guid> StaffActionAsync(DateTimeOffset at)
    {
        var id = Guid.NewGuid();
        await _db.ExecuteAsync($"""
            INSERT INTO staff_actions (id, at, actor, action, subject, reason, details)
            VALUES ('{id}', '{at:O}', 'staff-1', 'Restricted', '{Guid.NewGuid()}', 'spam', jsonb_build_object())
            """);
        return id;
    }

    private async Task<Guid> StatisticsRequestAsync(DateTimeOffset at)
    {
        var id = Guid.NewGuid();
        await _db.ExecuteAsync($"""
            INSERT INTO statistics_requests (id, asked_at, role, asker, axes, k)
            VALUES ('{id}', '{at:O}', 'partner', 'partner-1', ARRAY['COUNTRY'], 10)
            """);
        return id;
    }

    private async Task<Guid> ErasureAsync(DateTimeOffset at)
    {
        var id = Guid.NewGuid();
        await _db.ExecuteAsync($"""
            INSERT INTO erasures (id, erased_at, reason, by_role, subject, categories, rows)
            VALUES ('{id}', '{at:O}', 'Inactivity', 'system', '{Guid.NewGuid()}', ARRAY['account'], jsonb_build_object())
            """);
        return id;
    }

    private async Task<Guid> RequestAsync(DateTimeOffset received, DateTimeOffset? closed)
    {
        var id = Guid.NewGuid();
        await _db.ExecuteAsync($"""
            INSERT INTO deletion_requests (id, subject, channel, received_at, due_at, extended_by_months, state, closed_at)
            VALUES ('{id}', '{Guid.NewGuid()}', 'Email', '{received:O}', '{received.AddMonths(1):O}', 0,
                    '{(closed is null ? "Pending" : "Completed")}', {(closed is { } c ? $"'{c:O}'" : "NULL")})
            """);
        return id;
    }

    private async Task<List<Guid>> IdsAsync(string table)
    {
        await using var connection = new Npgsql.NpgsqlConnection(_db.ConnectionString);
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand($"SELECT id FROM {table}", connection);
        await using var reader = await command.ExecuteReaderAsync();
        var ids = new List<Guid>();
        while (await reader.ReadAsync()) ids.Add(reader.GetGuid(0));
        return ids;
    }
}
