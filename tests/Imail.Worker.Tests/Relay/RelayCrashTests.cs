using Imail.Domain.Outbox;
using Imail.Testing;
using Xunit.Abstractions;

namespace Imail.Worker.Tests.Relay;

/// <summary>
/// R1: the real worker process, killed with SIGKILL in the middle of a batch (from inside the SMTP
/// server, while it waits for the reply), loses nothing: the next worker takes its batches over
/// when the lease ends, and only messages of the batches in flight at a kill are sent twice.
/// </summary>
public class RelayCrashTests(ITestOutputHelper output)
{
    private const int BatchSize = 50;
    private const int Parallelism = 2;

    [Fact]
    public Task AWorkerKilledMidBatch_LosesNothing() => KillAndRecoverAsync(messages: 1000, kills: 1);

    [LongFact]
    public Task R1_TenKillsWhileRelaying10000Messages_LoseNothing() => KillAndRecoverAsync(messages: 10_000, kills: 10);

    private async Task KillAndRecoverAsync(int messages, int kills)
    {
        var db = await TestDatabase.CreateAsync();
        await using var smtp = await SmtpTestServer.StartAsync();
        var settings = RelayFixture.Merge(smtp.Settings, new Dictionary<string, string?>
        {
            ["ConnectionStrings:Imail"] = db,
            ["Imail:Relay:BatchSize"] = BatchSize.ToString(),
            ["Imail:Relay:Parallelism"] = Parallelism.ToString(),
            ["Imail:Relay:Lease"] = "00:00:02",
            ["Imail:Relay:PollInterval"] = "00:00:00.500",
            ["Logging:LogLevel:Default"] = "Warning",
            // The relay is under test; the Quartz schedules have their own (R7).
            ["Imail:Schedules:Enabled"] = "false",
        });
        var ids = await OutboxProbe.EnqueueEmailsAsync(db, TimeProvider.System, messages);
        var step = messages / (kills + 1);
        var inFlight = 0;
        var clock = System.Diagnostics.Stopwatch.StartNew();

        for (var kill = 1; kill <= kills; kill++)
        {
            await using var worker = WorkerProcess.Start(settings);
            var killAt = kill * step;
            var killed = false;
            smtp.OnMessage = n =>
            {
                if (n != killAt) return;
                // Noted before the kill: the test thread may see the process gone before this callback returns.
                Volatile.Write(ref killed, true);
                worker.Kill(); // while it waits for this message's reply: mid-batch
            };
            await Eventually.Async(() => Task.FromResult(worker.HasExited), x => x, $"worker killed at message {killAt}", TimeSpan.FromSeconds(60));
            Assert.True(Volatile.Read(ref killed), "the worker exited by itself:\n" + string.Join("\n", worker.Output));
            smtp.OnMessage = null;
            var leased = await LeasedAsync(db);
            output.WriteLine($"{clock.Elapsed.TotalSeconds:0.0} s: kill {kill}: at message {killAt}, {leased} messages left leased (its batch in flight)");
            Assert.InRange(leased, 1, BatchSize * Parallelism);
            inFlight += leased;
            Assert.DoesNotContain(worker.Output, l => l.Contains("Unhandled exception"));
        }

        await using (var last = WorkerProcess.Start(settings))
        {
            await Eventually.Async(() => OutboxProbe.CountByStateAsync(db), s => s.GetValueOrDefault(OutboxState.Delivered) == messages,
                "every message delivered", TimeSpan.FromSeconds(60 + messages / 100));
        }

        output.WriteLine($"{clock.Elapsed.TotalSeconds:0.0} s: all delivered");
        var received = smtp.Received.Select(e => e.OutboxId()).ToList();
        var duplicates = received.Count - received.Distinct().Count();
        output.WriteLine($"{messages} messages, {kills} kills: {received.Count} received, {duplicates} duplicates, {inFlight} in flight at the kills");
        Assert.Equal(ids.Order(), received.Distinct().Order());
        Assert.InRange(duplicates, 0, inFlight);
    }

    private static async Task<int> LeasedAsync(string db)
    {
        await using var context = OutboxProbe.Db(db);
        var now = DateTimeOffset.UtcNow;
        return await Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.CountAsync(context.OutboxMessages, m => m.State == OutboxState.Pending && m.LeasedUntil > now);
    }
}
