using Imail.Domain.Outbox;
using Imail.Testing;
using Xunit.Abstractions;

namespace Imail.Worker.Tests.Relay;

/// <summary>
/// R1: the real worker process, killed with SIGKILL in the middle of a batch (from inside the SMTP
/// server, while it waits for the reply), loses nothing: the next worker takes its batches over
/// when the lease ends, and only messages of the batches in flight at a kill are sent twice.
/// </summary>
/// <remarks>
/// In flight at a kill means the rows the killed worker held: leased by a claim made after it
/// started. One worker runs at a time, so they are the rows left leased now that were not left
/// leased at the previous kill, whether or not that earlier lease has ended (a row keeps its
/// <c>leased_until</c> until it is claimed again or recorded). Counting rows whose lease has not
/// ended yet would depend on the machine's speed: a fast one reaches the next kill within the
/// earlier lease and counts those rows again; a slow one may look after the killed worker's own
/// lease ended and miss its rows.
/// </remarks>
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
        var leftLeased = new HashSet<(Guid Id, DateTimeOffset LeasedUntil)>();
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
            var held = leased.Except(leftLeased).Count();
            output.WriteLine($"{clock.Elapsed.TotalSeconds:0.0} s: kill {kill}: at message {killAt}, {held} messages left leased by it (its batches in flight), "
                + $"{leased.Count - held} still leased by earlier kills");
            // At least the message whose reply it was waiting for; at most one batch per relay loop.
            Assert.InRange(held, 1, BatchSize * Parallelism);
            inFlight += held;
            leftLeased = leased;
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
        var lost = ids.Except(received).Count();
        output.WriteLine($"{messages} messages, {kills} kills: {received.Count} received, {lost} lost, {duplicates} duplicates, "
            + $"{inFlight} in flight at the kills, {clock.Elapsed.TotalSeconds:0.0} s");
        Assert.Equal(ids.Order(), received.Distinct().Order());
        // Each duplicate is a message a worker sent and died before recording: one of the rows it held.
        Assert.InRange(duplicates, 0, inFlight);
    }

    /// <summary>The pending rows that carry a lease, ended or not, with the lease that identifies their claim.</summary>
    private static async Task<HashSet<(Guid Id, DateTimeOffset LeasedUntil)>> LeasedAsync(string db)
    {
        await using var context = OutboxProbe.Db(db);
        var rows = await Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.ToListAsync(context.OutboxMessages
            .Where(m => m.State == OutboxState.Pending && m.LeasedUntil != null)
            .Select(m => new { m.Id, LeasedUntil = m.LeasedUntil!.Value }));
        return rows.Select(r => (r.Id, r.LeasedUntil)).ToHashSet();
    }
}
