using Imail.Domain.Outbox;
using Imail.Domain.Partners;
using Imail.Testing;
using Imail.Worker.Policies;
using Imail.Worker.Tests.Purge;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Snapshooter.Xunit;

namespace Imail.Worker.Tests.Policies;

/// <summary>P13: partners hear that a version took effect, once, when its effective date passes; safe with several workers.</summary>
public sealed class PolicyTakesEffectJobTests : IAsyncLifetime
{
    private const string Kind = PartnerEvents.KindPrefix + PartnerEvents.PolicyVersionTakesEffect;
    private readonly PurgeDatabase _db = new();
    private DateTimeOffset Now => _db.Clock.GetUtcNow();

    public Task InitializeAsync() => _db.InitializeAsync();
    public Task DisposeAsync() => _db.DisposeAsync();

    [Fact]
    public async Task P13_TheEventIsQueuedWhenTheEffectiveDatePasses_NotOneSecondBefore_AndOnlyOnce()
    {
        var effective = Now.AddDays(10);
        await _db.DraftAsync("2.0", PolicyFixture.Change(effective));
        await _db.PublishAsync("2.0");

        _db.Clock.SetUtcNow(effective.AddSeconds(-1));
        Assert.Empty((await RunAsync()).Numbers);
        Assert.Empty(await EventsAsync());

        _db.Clock.SetUtcNow(effective);
        var result = await RunAsync();

        Assert.Equal(["2.0"], result.Numbers);
        Assert.Equal($"policy-takes-effect: 1 policy versions announced to partners as in effect (2.0, effective by {effective:u}).", result.ToString());
        Assert.Single(await EventsAsync());
        _db.Clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Empty((await RunAsync()).Numbers);
        Assert.Single(await EventsAsync());
        // Version 1.0, seeded by the migration, was marked as told: partners subscribed after it.
        Assert.DoesNotContain("1.0", result.Numbers);
    }

    [Fact]
    public async Task P13_ADraft_NeverTakesEffect()
    {
        await _db.DraftAsync("9.9", PolicyFixture.Change(Now.AddDays(1)));
        _db.Clock.Advance(TimeSpan.FromDays(2));

        Assert.Empty((await RunAsync()).Numbers);
        Assert.Empty(await EventsAsync());
    }

    [Fact]
    public async Task P13_TwoWorkersRunningTheJobAtOnce_QueueOneEventPerVersion()
    {
        var effective = Now.AddDays(1);
        for (var i = 0; i < 12; i++)
        {
            await _db.DraftAsync($"2.{i}", PolicyFixture.Change(effective.AddSeconds(i), substantial: false));
            await _db.PublishAsync($"2.{i}");
        }
        _db.Clock.SetUtcNow(effective.AddMinutes(1));
        var settings = new Dictionary<string, string?> { ["Imail:Schedules:PolicyTakesEffect:BatchSize"] = "2" };
        await using var one = _db.Services(settings);
        await using var other = _db.Services(settings);

        var results = await Task.WhenAll(
            Task.Run(() => one.GetRequiredService<PolicyTakesEffectJob>().RunAsync(CancellationToken.None)),
            Task.Run(() => other.GetRequiredService<PolicyTakesEffectJob>().RunAsync(CancellationToken.None)));

        Assert.Equal(12, results.Sum(r => r.Numbers.Count));
        var events = await EventsAsync();
        Assert.Equal(12, events.Count);
        Assert.Equal(12, events.Select(e => System.Text.Json.JsonDocument.Parse(e.Payload).RootElement.GetProperty("data").GetProperty("number").GetString()).Distinct().Count());
    }

    [Fact]
    public async Task P13_ADryRun_SaysWhatWouldBeQueued_AndQueuesNothing()
    {
        await _db.DraftAsync("2.0", PolicyFixture.Change(Now.AddDays(1)));
        await _db.PublishAsync("2.0");
        _db.Clock.Advance(TimeSpan.FromDays(1));
        await using var services = _db.Services();

        var dry = await services.GetRequiredService<PolicyTakesEffectJob>().DryRunAsync(CancellationToken.None);

        Assert.True(dry.DryRun);
        Assert.Equal(["2.0"], dry.Numbers);
        Assert.Empty(await EventsAsync());
    }

    [Fact]
    public async Task P13_ThePolicyVersionTakesEffectEvent_ReadsAsItsSnapshot()
    {
        _db.Clock.SetUtcNow(new DateTimeOffset(2027, 3, 1, 9, 30, 0, TimeSpan.Zero));
        await _db.DraftAsync("3.0", PolicyFixture.Change(new DateTimeOffset(2027, 4, 1, 0, 0, 0, TimeSpan.Zero), lowersPrivacy: true));
        await _db.PublishAsync("3.0");
        _db.Clock.SetUtcNow(new DateTimeOffset(2027, 4, 1, 0, 0, 30, TimeSpan.Zero));

        await RunAsync();

        Snapshot.Match(PolicyPublicationTests.Envelope(Assert.Single(await EventsAsync())));
    }

    private async Task<PolicyTakesEffectResult> RunAsync()
    {
        await using var services = _db.Services();
        return await services.GetRequiredService<PolicyTakesEffectJob>().RunAsync(CancellationToken.None);
    }

    private Task<List<OutboxMessage>> EventsAsync() =>
        _db.ExecuteDbAsync(db => db.OutboxMessages.AsNoTracking().Where(m => m.Kind == Kind).ToListAsync());
}
