using Imail.Domain.Outbox;
using Imail.Testing;
using Imail.Worker.Relay;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Time.Testing;

namespace Imail.Worker.Tests.Relay;

/// <summary>The relay's SQL on its own: what one claim takes, what it leaves to others, and whose results count.</summary>
public class ClaimTests : IAsyncLifetime
{
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(1);
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 27, 9, 0, 0, TimeSpan.Zero));
    private string _db = "";
    private RelayDatabase _database = null!;
    private OutboxStore _store = null!;

    public async Task InitializeAsync()
    {
        _db = await TestDatabase.CreateAsync();
        _database = new RelayDatabase(new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["ConnectionStrings:Imail"] = _db }).Build());
        _store = new OutboxStore(_database);
    }

    public async Task DisposeAsync() => await _database.DisposeAsync();

    private DateTimeOffset Now => _clock.GetUtcNow();

    [Fact]
    public async Task AClaim_LeasesDueMessages_AndNobodyElseGetsThemUntilTheLeaseEnds()
    {
        var ids = await OutboxProbe.EnqueueEmailsAsync(_db, _clock, count: 3);

        var first = await _store.ClaimAsync(Now, Now + Lease, 10, default);
        Assert.Equal(ids.Order(), first.Select(m => m.Id).Order());
        Assert.All(first, m => Assert.Equal(1, m.Attempt));
        Assert.Empty(await _store.ClaimAsync(Now + Lease - TimeSpan.FromSeconds(1), Now + Lease * 2, 10, default));

        // The holder crashed: past its lease, the messages are taken over.
        var takeover = await _store.ClaimAsync(Now + Lease + TimeSpan.FromSeconds(1), Now + Lease * 3, 10, default);
        Assert.Equal(ids.Order(), takeover.Select(m => m.Id).Order());
        Assert.All(takeover, m => Assert.Equal(2, m.Attempt));
    }

    [Fact]
    public async Task MessagesWaitingForARetry_AreNotClaimedBeforeTheirTime()
    {
        var id = (await OutboxProbe.EnqueueEmailsAsync(_db, _clock)).Single();
        var leasedUntil = Now + Lease;
        await _store.ClaimAsync(Now, leasedUntil, 10, default);
        var next = await _store.CompleteAsync([new OutboxCompletion(id, OutboxCompletionKind.Retry, "SMTP 451", Now + TimeSpan.FromSeconds(5))],
            Now, leasedUntil, default);

        Assert.Equal(Now + TimeSpan.FromSeconds(5), next);
        Assert.Empty(await _store.ClaimAsync(Now + TimeSpan.FromSeconds(4), Now + Lease, 10, default));
        Assert.Single(await _store.ClaimAsync(Now + TimeSpan.FromSeconds(5), Now + Lease, 10, default));
    }

    [Fact]
    public async Task ConcurrentClaims_NeverShareAMessage()
    {
        var ids = await OutboxProbe.EnqueueEmailsAsync(_db, _clock, count: 500);

        var claims = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
        {
            var mine = new List<Guid>();
            while (await _store.ClaimAsync(Now, Now + Lease, 7, default) is { Count: > 0 } batch) mine.AddRange(batch.Select(m => m.Id));
            return mine;
        })));

        var all = claims.SelectMany(c => c).ToList();
        Assert.Equal(500, all.Count);
        Assert.Equal(ids.Order(), all.Order());
        Assert.True(claims.Count(c => c.Count > 0) > 1, "the claims ran side by side");
    }

    [Fact]
    public async Task AfterATakeover_TheFormerHoldersFailureChangesNothing_ButADeliveryStands()
    {
        var id = (await OutboxProbe.EnqueueEmailsAsync(_db, _clock)).Single();
        var oldLease = Now + Lease;
        await _store.ClaimAsync(Now, oldLease, 10, default);
        _clock.Advance(Lease + TimeSpan.FromSeconds(1));
        var newLease = Now + Lease;
        Assert.Single(await _store.ClaimAsync(Now, newLease, 10, default));

        await _store.CompleteAsync([new OutboxCompletion(id, OutboxCompletionKind.Dead, "SMTP 550 from the old holder")], Now, oldLease, default);
        var row = await OutboxProbe.RowAsync(_db, id);
        Assert.Equal((OutboxState.Pending, (DateTimeOffset?)newLease), (row.State, row.LeasedUntil));

        await _store.CompleteAsync([new OutboxCompletion(id, OutboxCompletionKind.Delivered)], Now, oldLease, default);
        Assert.Equal(OutboxState.Delivered, (await OutboxProbe.RowAsync(_db, id)).State);
    }

    [Fact]
    public async Task APutBackMessage_DoesNotLoseAnAttempt()
    {
        var id = (await OutboxProbe.EnqueueEmailsAsync(_db, _clock)).Single();
        var leasedUntil = Now + Lease;
        await _store.ClaimAsync(Now, leasedUntil, 10, default);
        await _store.CompleteAsync([new OutboxCompletion(id, OutboxCompletionKind.Released)], Now, leasedUntil, default);

        var row = await OutboxProbe.RowAsync(_db, id);
        Assert.Equal((0, (DateTimeOffset?)null, OutboxState.Pending), (row.Attempts, row.LeasedUntil, row.State));
        Assert.Single(await _store.ClaimAsync(Now, Now + Lease, 10, default));
    }
}
