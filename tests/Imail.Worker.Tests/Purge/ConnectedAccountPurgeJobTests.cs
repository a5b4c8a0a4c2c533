using Imail.Worker.Purge;
using Imail.Worker.Schedules;
using Microsoft.Extensions.DependencyInjection;

namespace Imail.Worker.Tests.Purge;

/// <summary>P4/P7: what a connected service sent lives for the registry's connected_account_profile retention from the last connection.</summary>
public sealed class ConnectedAccountPurgeJobTests : IAsyncLifetime
{
    private readonly PurgeDatabase _db = new();
    private DateTimeOffset Now => _db.Clock.GetUtcNow();

    public Task InitializeAsync() => _db.InitializeAsync();
    public Task DisposeAsync() => _db.DisposeAsync();

    [Fact]
    public async Task P7_AConnectedAccountNotConnectedAgainWithinItsRetention_IsDeletedWithItsFields()
    {
        // Seeded connected_account_profile retention: 36 months. Now is 27 November 2026 03:17 UTC.
        var boundary = new DateTimeOffset(2023, 11, 27, 3, 17, 0, TimeSpan.Zero);
        var user = await UserAsync();
        var stale = await ConnectedAccountAsync(user, connectedAt: boundary.AddYears(-1), updatedAt: boundary.AddSeconds(-1));
        // Connected long ago, but reconnected since: the reconnection renewed the grant and the data.
        var reconnected = await ConnectedAccountAsync(user, connectedAt: boundary.AddYears(-1), updatedAt: boundary);

        var result = await RunAsync();

        Assert.Equal((1, boundary, "P3Y"), (result.Deleted, result.Before, result.Retention.Iso8601));
        Assert.Equal("connected-account-purge: 1 connected accounts with their shared fields deleted (last connected before 2023-11-27 03:17:00Z, " +
            "connected_account_profile retention P3Y); 1 statements.", result.ToString());
        Assert.Equal(0L, await _db.ScalarAsync<long>($"SELECT count(*) FROM connected_accounts WHERE id = '{stale}'"));
        Assert.Equal(0L, await _db.ScalarAsync<long>($"SELECT count(*) FROM connected_account_fields WHERE connected_account_id = '{stale}'"));
        Assert.Equal(2L, await _db.ScalarAsync<long>($"SELECT count(*) FROM connected_account_fields WHERE connected_account_id = '{reconnected}'"));
        Assert.Equal(1L, await _db.ScalarAsync<long>("SELECT count(*) FROM users"));
        Assert.Equal(0, (await RunAsync()).Deleted);
    }

    [Fact]
    public async Task ADryRun_CountsAndDeletesNothing_AndAnOperatorRunsItByName()
    {
        var user = await UserAsync();
        await ConnectedAccountAsync(user, Now.AddYears(-5), Now.AddYears(-4));

        await using (var services = _db.Services())
        {
            var dry = await services.GetRequiredService<ConnectedAccountPurgeJob>().DryRunAsync(CancellationToken.None);
            Assert.Equal((true, 1), (dry.DryRun, dry.Deleted));
            Assert.Equal(1L, await _db.ScalarAsync<long>("SELECT count(*) FROM connected_accounts"));

            Assert.Equal(0, await ScheduledJobs.RunJobByNameAsync(services, "connected-account-purge"));
        }
        Assert.Equal(0L, await _db.ScalarAsync<long>("SELECT count(*) FROM connected_accounts"));
    }

    private async Task<PurgeResult> RunAsync()
    {
        await using var services = _db.Services();
        return await services.GetRequiredService<ConnectedAccountPurgeJob>().RunAsync(CancellationToken.None);
    }

    private async Task<Guid> UserAsync()
    {
        var id = Guid.NewGuid();
        await _db.ExecuteAsync($"""
            INSERT INTO users (id, email, display_name, locale, status, created_at, updated_at, audit_ref)
            VALUES ('{id}', 'ada@example.org', 'Ada', 'Fr', 'Active', '{Now.AddYears(-6):O}', '{Now.AddYears(-6):O}', gen_random_uuid())
            """);
        return id;
    }

    private async Task<Guid> ConnectedAccountAsync(Guid user, DateTimeOffset connectedAt, DateTimeOffset updatedAt)
    {
        var id = Guid.NewGuid();
        await _db.ExecuteAsync($"""
            INSERT INTO connected_accounts (id, user_id, provider, external_account_id, granted_scopes, connected_at, updated_at)
            VALUES ('{id}', '{user}', 'mastodon', '{id}', ARRAY['profile'], '{connectedAt:O}', '{updatedAt:O}');
            INSERT INTO connected_account_fields (scope, name, value, connected_account_id)
            VALUES ('profile', 'displayName', 'Ada', '{id}'), ('profile', 'avatar', 'https://example.org/a.png', '{id}');
            """);
        return id;
    }
}
