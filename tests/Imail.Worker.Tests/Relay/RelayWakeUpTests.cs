using Imail.Testing;
using Imail.Worker.Relay;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Xunit.Abstractions;

namespace Imail.Worker.Tests.Relay;

/// <summary>
/// Issue 13 item 7 (P12 at scale): a notification wakes as many relay loops as there is work for —
/// one message, one loop; a backlog, all of them — and no signal is lost while every loop is busy.
/// </summary>
public class RelayWakeUpTests(ITestOutputHelper output)
{
    private static readonly FakeTimeProvider Clock = new(new DateTimeOffset(2026, 12, 2, 9, 0, 0, TimeSpan.Zero));

    [Fact]
    public async Task OneSignal_WakesOneOfFourWaitingLoops()
    {
        var wakeUp = new RelayWakeUp();
        var loops = Enumerable.Range(0, 4).Select(_ => wakeUp.WaitAsync(TimeSpan.FromHours(1), Clock, CancellationToken.None)).ToArray();
        Assert.Equal(4, wakeUp.Waiting);

        wakeUp.Signal();
        var woken = await Task.WhenAny(loops);

        await Task.Delay(50); // a second loop woken by the same signal would have returned by now
        Assert.Same(loops[0], woken); // the one that waited longest
        Assert.Equal(1, loops.Count(l => l.IsCompleted));
        Assert.Equal(3, wakeUp.Waiting);
        for (var i = 0; i < 3; i++) wakeUp.Signal();
        await Task.WhenAll(loops);
        Assert.Equal(0, wakeUp.Waiting);
    }

    [Fact]
    public async Task ASignalWithNoLoopWaiting_IsKept_ForTheNextWaitOnly()
    {
        var wakeUp = new RelayWakeUp();
        wakeUp.Signal();
        wakeUp.Signal(); // kept once: one loop looking again finds everything there is

        Assert.True(wakeUp.WaitAsync(TimeSpan.FromHours(1), Clock, CancellationToken.None).IsCompleted);
        var next = wakeUp.WaitAsync(TimeSpan.FromHours(1), Clock, CancellationToken.None);
        await Task.Delay(50);
        Assert.False(next.IsCompleted);
        wakeUp.Signal();
        await next;
    }

    [Fact]
    public async Task ALoopThatTimedOut_LeavesTheQueue_AndTheNextSignalGoesToOneStillWaiting()
    {
        var clock = new FakeTimeProvider(Clock.GetUtcNow());
        var wakeUp = new RelayWakeUp();
        var early = wakeUp.WaitAsync(TimeSpan.FromSeconds(5), clock, CancellationToken.None);
        var late = wakeUp.WaitAsync(TimeSpan.FromHours(1), clock, CancellationToken.None);

        clock.Advance(TimeSpan.FromSeconds(6));
        await early;
        Assert.Equal(1, wakeUp.Waiting);
        wakeUp.Signal();
        await late.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(0, wakeUp.Waiting);
    }

    [Fact]
    public async Task InARelayOfFourLoops_OneMessageCostsOneClaim_AndABacklogWakesEveryLoop()
    {
        var db = await TestDatabase.CreateAsync();
        var clock = new FakeTimeProvider(Clock.GetUtcNow());
        await using var smtp = await SmtpTestServer.StartAsync();
        await using var relay = await RelayHost.StartAsync(db, clock, RelayFixture.Merge(smtp.Settings, new Dictionary<string, string?>
        {
            // The poll is an hour of a clock nobody moves: every claim here was caused by a NOTIFY or by a full batch.
            ["Imail:Relay:PollInterval"] = "01:00:00",
            ["Imail:Relay:Parallelism"] = "4",
            ["Imail:Relay:BatchSize"] = "20",
        }));
        var wakeUp = relay.Services.GetRequiredService<RelayWakeUp>();
        var loops = relay.Services.GetServices<Microsoft.Extensions.Hosting.IHostedService>().OfType<OutboxRelay>().Single();
        // The listener signals once when it starts listening (whatever was committed before is due): a loop wakes,
        // claims nothing and sleeps again. Counting starts after that, or that claim would be counted against the first message.
        await Eventually.Async(() => Task.FromResult((wakeUp.Signals, wakeUp.Waiting)), s => s.Signals >= 1 && s.Waiting == 4, "the listener listening and the four loops asleep");

        for (var i = 0; i < 5; i++)
        {
            var claims = loops.Claims;
            var id = (await OutboxProbe.EnqueueEmailsAsync(db, clock)).Single();
            await smtp.WaitForAsync(e => e.OutboxId() == id);
            await Eventually.Async(() => Task.FromResult(wakeUp.Waiting), n => n == 4, "the loops asleep again");
            Assert.Equal(1, loops.Claims - claims);
        }
        Assert.Equal(1, loops.MostBatchesAtOnce);

        var backlog = await OutboxProbe.EnqueueEmailsAsync(db, clock, count: 400);
        await smtp.WaitForAsync(405, TimeSpan.FromSeconds(60));
        await Eventually.Async(() => Task.FromResult(wakeUp.Waiting), n => n == 4, "the loops asleep after the backlog");
        output.WriteLine($"400 messages in batches of 20: {loops.MostBatchesAtOnce} batches at once at most, {loops.Claims} claims in all, {wakeUp.Signals} signals");
        Assert.Equal(4, loops.MostBatchesAtOnce);
        Assert.Equal(400, backlog.Count);
    }

    [Fact]
    public async Task AnInsertThatSelectedNobody_NotifiesNoRelay_OneWithRows_Does()
    {
        var db = await TestDatabase.CreateAsync();
        await using var listener = new Npgsql.NpgsqlConnection(db);
        await listener.OpenAsync();
        var notified = 0;
        listener.Notification += (_, _) => Interlocked.Increment(ref notified);
        await using (var listen = new Npgsql.NpgsqlCommand($"LISTEN {Imail.Domain.Outbox.OutboxChannel.Name}", listener)) await listen.ExecuteNonQueryAsync();
        const string Insert = """
            INSERT INTO outbox_messages (id, kind, payload, state, created_at, available_at, attempts)
            SELECT gen_random_uuid(), 'email.sign-up-confirmation', '{}'::jsonb, 'Pending', now(), now(), 0 FROM generate_series(1, $1)
            """;
        async Task InsertAsync(int rows)
        {
            await using var connection = new Npgsql.NpgsqlConnection(db);
            await connection.OpenAsync();
            await using var command = new Npgsql.NpgsqlCommand(Insert, connection) { Parameters = { new() { Value = rows } } };
            await command.ExecuteNonQueryAsync();
        }

        await InsertAsync(0);
        // A notification is delivered when the listener next reads: wait on it a moment.
        await listener.WaitAsync(TimeSpan.FromMilliseconds(300));
        Assert.Equal(0, notified);

        await InsertAsync(3);
        await listener.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(1, notified);
    }
}
