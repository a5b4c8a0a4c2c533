using System.Diagnostics;
using System.Text.RegularExpressions;
using Imail.Domain.Outbox;
using Imail.Testing;
using Microsoft.Extensions.Time.Testing;
using Xunit.Abstractions;

namespace Imail.Worker.Tests.Relay;

public class TwoRelaysTests(ITestOutputHelper output)
{
    [Fact]
    public async Task TwoRelays_DeliverEachOf1000MessagesExactlyOnce()
    {
        var db = await TestDatabase.CreateAsync();
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 27, 9, 0, 0, TimeSpan.Zero));
        await using var smtp = await SmtpTestServer.StartAsync();
        var settings = RelayFixture.Merge(smtp.Settings, new Dictionary<string, string?>
        {
            ["Imail:Relay:BatchSize"] = "50",
            ["Imail:Relay:PollInterval"] = "01:00:00",
        });
        await using var one = await RelayHost.StartAsync(db, clock, settings);
        await using var two = await RelayHost.StartAsync(db, clock, settings);

        var ids = await OutboxProbe.EnqueueEmailsAsync(db, clock, count: 1000);
        var started = Stopwatch.GetTimestamp();
        var received = await smtp.WaitForAsync(1000, TimeSpan.FromSeconds(60));
        var elapsed = Stopwatch.GetElapsedTime(started);

        await Task.Delay(200); // anything sent twice would have arrived by now
        Assert.Equal(1000, smtp.Received.Count);
        Assert.Equal(ids.Order(), received.Select(e => e.OutboxId()).Order());
        var states = await Eventually.Async(() => OutboxProbe.CountByStateAsync(db), s => s.GetValueOrDefault(OutboxState.Delivered) == 1000, "all recorded delivered");
        Assert.Single(states);
        var byRelay = new[] { one, two }.Select(Delivered).ToArray();
        output.WriteLine($"1000 messages from commit to the last SMTP acceptance in {elapsed.TotalMilliseconds:0} ms ({1000 / elapsed.TotalSeconds:0} /s) over {smtp.Sessions} SMTP sessions; per relay: {string.Join(", ", byRelay)}");
        Assert.Equal(1000, byRelay.Sum());
        Assert.All(byRelay, n => Assert.True(n > 0, "both relays took part"));
    }

    private static int Delivered(RelayHost relay) => relay.Log
        .Select(l => Regex.Match(l, @"Relayed \d+ outbox messages: (\d+) delivered"))
        .Where(m => m.Success).Sum(m => int.Parse(m.Groups[1].Value));
}
