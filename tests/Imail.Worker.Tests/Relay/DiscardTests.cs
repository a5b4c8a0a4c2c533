using System.Collections.Concurrent;
using Imail.Domain.Outbox;
using Imail.Testing;
using Imail.Worker.Relay;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Imail.Worker.Tests.Relay;

/// <summary>
/// Notices that became pointless while no worker ran (an expired code, a deadline gone) are not sent
/// late: the relay discards them, unsent, and counts them.
/// </summary>
public sealed class DiscardTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 27, 9, 0, 0, TimeSpan.Zero));
    private readonly RecordingSender _sender = new();
    private readonly LineLog _log = new();
    private string _db = "";
    private RelayDatabase _database = null!;
    private OutboxRelay _relay = null!;

    public async Task InitializeAsync()
    {
        _db = await TestDatabase.CreateAsync();
        _database = new RelayDatabase(new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["ConnectionStrings:Imail"] = _db }).Build());
        _relay = new OutboxRelay(new OutboxStore(_database), [_sender], new RelayWakeUp(), _clock,
            Options.Create(new RelayOptions()), _log);
    }

    public async Task DisposeAsync() => await _database.DisposeAsync();

    private DateTimeOffset Now => _clock.GetUtcNow();

    [Fact]
    public async Task AMessageClaimedAfterItsDiscardAfter_IsDiscardedUnsent_AndCounted_OthersAreSent()
    {
        var ids = await OutboxProbe.EnqueueEmailsAsync(_db, _clock, count: 3);
        var (pointless, stillUseful, unmarked) = (ids[0], ids[1], ids[2]);
        await SetDiscardAfterAsync(pointless, Now.AddHours(1));
        await SetDiscardAfterAsync(stillUseful, Now.AddHours(3));

        // The worker was down for two hours.
        _clock.Advance(TimeSpan.FromHours(2));
        var (claimed, _) = await _relay.RelayBatchAsync(CancellationToken.None);

        Assert.Equal(3, claimed);
        Assert.Equal(new[] { stillUseful, unmarked }.Order(), _sender.Sent.Order());
        var discarded = await OutboxProbe.RowAsync(_db, pointless);
        Assert.Equal((OutboxState.Discarded, "{}", (DateTimeOffset?)Now, (DateTimeOffset?)null),
            (discarded.State, discarded.Payload, discarded.PayloadPurgedAt, discarded.DeliveredAt));
        Assert.Equal(OutboxState.Delivered, (await OutboxProbe.RowAsync(_db, stillUseful)).State);
        Assert.Contains(_log.Lines, l => l.StartsWith("Relayed 3 outbox messages: 2 delivered, 0 to retry, 0 dead, 0 put back, 1 discarded (pointless by now)", StringComparison.Ordinal));
        Assert.Contains(_log.Lines, l => l.StartsWith($"Outbox message {pointless} (email.sign-up-confirmation) discarded unsent: pointless after", StringComparison.Ordinal));

        // Never claimed again.
        Assert.Equal(0, (await _relay.RelayBatchAsync(CancellationToken.None)).Claimed);
    }

    [Fact]
    public async Task AMessageStillInTime_IsSent_EvenOnARetryJustBeforeItsDiscardAfter()
    {
        var id = (await OutboxProbe.EnqueueEmailsAsync(_db, _clock)).Single();
        await SetDiscardAfterAsync(id, Now.AddHours(1));
        _clock.Advance(TimeSpan.FromHours(1));

        await _relay.RelayBatchAsync(CancellationToken.None);

        Assert.Equal(new[] { id }, _sender.Sent);
        Assert.Equal(OutboxState.Delivered, (await OutboxProbe.RowAsync(_db, id)).State);
    }

    [Fact]
    public async Task TheClaim_ReturnsDiscardAfter()
    {
        var id = (await OutboxProbe.EnqueueEmailsAsync(_db, _clock)).Single();
        await SetDiscardAfterAsync(id, Now.AddMinutes(5));

        var claimed = await new OutboxStore(_database).ClaimAsync(Now, Now.AddMinutes(1), 10, default);

        Assert.Equal(Now.AddMinutes(5), Assert.Single(claimed).DiscardAfter);
    }

    private async Task SetDiscardAfterAsync(Guid id, DateTimeOffset at)
    {
        await using var connection = new Npgsql.NpgsqlConnection(_db);
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand("UPDATE outbox_messages SET discard_after = @at WHERE id = @id", connection);
        command.Parameters.AddWithValue("at", at);
        command.Parameters.AddWithValue("id", id);
        await command.ExecuteNonQueryAsync();
    }

    private sealed class RecordingSender : IOutboxSender
    {
        public ConcurrentQueue<Guid> Sent { get; } = new();

        public bool CanSend(string kind) => true;

        public Task<DeliveryResult[]> SendAsync(IReadOnlyList<OutboxEnvelope> messages, CancellationToken ct)
        {
            foreach (var m in messages) Sent.Enqueue(m.Id);
            return Task.FromResult(messages.Select(_ => DeliveryResult.Delivered).ToArray());
        }
    }

    private sealed class LineLog : ILogger<OutboxRelay>
    {
        public ConcurrentQueue<string> Lines { get; } = new();
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => true;
        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Lines.Enqueue(formatter(state, exception));
    }
}
