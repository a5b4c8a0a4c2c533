using System.Diagnostics;
using Imail.Testing;
using Microsoft.EntityFrameworkCore;
using Xunit.Abstractions;

namespace Imail.Api.Tests.Partners;

/// <summary>Two API replicas on one database and a worker relay: the replicas share nothing but PostgreSQL.</summary>
public sealed class TwoReplicas : IAsyncLifetime
{
    public SubscriptionApi First { get; } = new();
    public LoopbackReplica Second { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await First.InitializeAsync();
        Second = new LoopbackReplica(First.ConnectionString);
        await Second.InitializeAsync();
    }

    public async Task DisposeAsync()
    {
        await Second.DisposeAsync();
        await First.DisposeAsync();
    }
}

public sealed class PartnerEventReplicaTests(TwoReplicas replicas, ITestOutputHelper output) : IClassFixture<TwoReplicas>
{
    [Fact]
    public async Task AnEventEnqueuedOnOneReplica_ReachesASubscriberOfTheOther()
    {
        var (first, second) = (replicas.First, replicas.Second);
        var before = second.Backplane.LiveSubscribers;
        await using var client = await NodeSubscriber.StartAsync("ws", second.GraphQLUrl, second.PartnerToken(), count: 1);
        await second.WaitForSubscribersAsync(before + 1);

        var clock = Stopwatch.StartNew();
        var id = await first.EnqueueEventAsync("other-replica");
        var received = await client.NextEventAsync();
        output.WriteLine($"enqueue commit on replica 1 → relay → NOTIFY → replica 2 → Node client: {clock.ElapsedMilliseconds} ms");

        Assert.Equal(id.ToString(), received["id"]!.GetValue<string>());
    }

    [Fact]
    public async Task TheListenConnectionKilled_EventsLoggedMeanwhileAndAfter_StillArrive()
    {
        var (first, second) = (replicas.First, replicas.Second);
        var before = second.Backplane.LiveSubscribers;
        await using var client = await NodeSubscriber.StartAsync("ws", second.GraphQLUrl, second.PartnerToken(), count: 2);
        await second.WaitForSubscribersAsync(before + 1);
        var connections = second.Backplane.Connections;

        // Both replicas' listeners go: the first replica's too, so neither can have heard of the event.
        var killed = await first.ExecuteDbAsync(db => db.Database.SqlQuery<int>($"""
            SELECT count(pg_terminate_backend(pid))::int AS "Value" FROM pg_stat_activity
            WHERE datname = current_database() AND application_name = 'imail-api-subscriptions-listener'
            """).SingleAsync());
        Assert.Equal(2, killed);
        var meanwhile = await first.EnqueueEventAsync("while-listen-was-down");

        await Eventually.Async(() => Task.FromResult(second.Backplane.Connections), n => n > connections, "the listener reconnecting");
        var after = await first.EnqueueEventAsync("after-reconnect");

        Assert.Equal(meanwhile.ToString(), (await client.NextEventAsync())["id"]!.GetValue<string>());
        Assert.Equal(after.ToString(), (await client.NextEventAsync())["id"]!.GetValue<string>());
    }
}
