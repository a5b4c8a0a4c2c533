using System.Text.Json;
using Imail.Domain.Outbox;
using Imail.Domain.Partners;
using Imail.Testing;
using Imail.Worker.Partners;
using Imail.Worker.Relay;
using Imail.Worker.Tests.Relay;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Npgsql;

namespace Imail.Worker.Tests.Partners;

/// <summary>P13: partner events leave the outbox for the event log, in order, once, with a notification for the API replicas.</summary>
public sealed class PartnerEventSenderTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 12, 2, 9, 0, 0, TimeSpan.Zero));
    private string _db = "";
    private RelayDatabase _database = null!;
    private PartnerEventSender _sender = null!;
    private OutboxRelay _relay = null!;

    public async Task InitializeAsync()
    {
        _db = await TestDatabase.CreateAsync();
        _database = new RelayDatabase(new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["ConnectionStrings:Imail"] = _db }).Build());
        _sender = new PartnerEventSender(_database, _clock, [], NullLogger<PartnerEventSender>.Instance);
        _relay = new OutboxRelay(new OutboxStore(_database), [_sender], new RelayWakeUp(), _clock, Options.Create(new RelayOptions()),
            NullLogger<OutboxRelay>.Instance);
    }

    public async Task DisposeAsync() => await _database.DisposeAsync();

    [Fact]
    public async Task P13_EventsCommittedWithAChange_AreLoggedInOrder_WithTheEnvelopePartnersReceive_AndTheReplicasAreNotified()
    {
        await using var listener = new NpgsqlConnection(_db);
        await listener.OpenAsync();
        var notified = new List<string>();
        listener.Notification += (_, e) => notified.Add(e.Payload);
        await using (var listen = new NpgsqlCommand($"LISTEN {PartnerEvents.Channel}", listener)) await listen.ExecuteNonQueryAsync();

        Guid first, second;
        await using (var db = OutboxProbe.Db(_db))
        {
            first = db.EnqueuePartnerEvent("policyVersionPublished", new { number = "2.0" }, _clock.GetUtcNow()).Id;
            second = db.EnqueuePartnerEvent("policyVersionTakesEffect", new { number = "2.0" }, _clock.GetUtcNow().AddSeconds(1)).Id;
            await db.SaveChangesAsync();
        }
        _clock.Advance(TimeSpan.FromSeconds(1));
        var (claimed, _) = await _relay.RelayBatchAsync(CancellationToken.None);

        Assert.Equal(2, claimed);
        await using var read = OutboxProbe.Db(_db);
        var log = await read.PartnerEvents.AsNoTracking().OrderBy(e => e.Sequence).ToListAsync();
        Assert.Equal([first, second], log.Select(e => e.Id));
        Assert.Equal(["policyVersionPublished", "policyVersionTakesEffect"], log.Select(e => e.Type));
        using var body = JsonDocument.Parse(log[0].Body);
        Assert.Equal(first.ToString(), body.RootElement.GetProperty("id").GetString());
        Assert.Equal("policyVersionPublished", body.RootElement.GetProperty("type").GetString());
        Assert.Equal(PartnerEvents.ContractVersion, body.RootElement.GetProperty("contractVersion").GetInt32());
        Assert.Equal("2.0", body.RootElement.GetProperty("data").GetProperty("number").GetString());
        Assert.Equal(_clock.GetUtcNow().AddSeconds(-1), log[0].OccurredAt);
        Assert.Equal(OutboxState.Delivered, (await OutboxProbe.RowAsync(_db, first)).State);

        await listener.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal([log[1].Sequence.ToString(System.Globalization.CultureInfo.InvariantCulture)], notified);
    }

    [Fact]
    public async Task AnEventHandedOverTwice_ARelayCrashedBeforeRecordingIt_IsLoggedOnce()
    {
        Guid id;
        await using (var db = OutboxProbe.Db(_db))
        {
            id = db.EnqueuePartnerEvent("policyVersionPublished", new { number = "2.0" }, _clock.GetUtcNow()).Id;
            await db.SaveChangesAsync();
        }
        var message = await OutboxProbe.RowAsync(_db, id);
        var envelope = new OutboxEnvelope(message.Id, message.Kind, message.Payload, 1, message.CreatedAt);

        var results = await _sender.SendAsync([envelope], CancellationToken.None);
        var again = await _sender.SendAsync([envelope with { Attempt = 2 }], CancellationToken.None);

        Assert.Equal([DeliveryResult.Delivered], results);
        Assert.Equal([DeliveryResult.Delivered], again);
        await using var read = OutboxProbe.Db(_db);
        Assert.Equal(1, await read.PartnerEvents.CountAsync(e => e.Id == id));
    }

    [Fact]
    public async Task APayloadThatIsNotJson_IsADeadLetter_TheOthersOfTheBatchAreLogged()
    {
        var good = new OutboxEnvelope(Guid.CreateVersion7(), "event.policyVersionPublished", "{\"id\":\"x\",\"data\":{}}", 1, _clock.GetUtcNow());
        var bad = new OutboxEnvelope(Guid.CreateVersion7(), "event.policyVersionPublished", "{not json", 1, _clock.GetUtcNow());

        var results = await _sender.SendAsync([bad, good], CancellationToken.None);

        Assert.Equal(DeliveryOutcome.Permanent, results[0].Outcome);
        Assert.Equal(DeliveryOutcome.Delivered, results[1].Outcome);
        await using var read = OutboxProbe.Db(_db);
        Assert.Equal([good.Id], await read.PartnerEvents.Select(e => e.Id).ToListAsync());
    }

    [Fact]
    public async Task P13_AnEventLeavesBeforeTheEmailsItsChangeEnqueuedInBulk()
    {
        var emails = await OutboxProbe.EnqueueEmailsAsync(_db, _clock, count: 5);
        Guid id;
        await using (var db = OutboxProbe.Db(_db))
        {
            id = db.EnqueuePartnerEvent("policyVersionPublished", new { number = "2.0" }, _clock.GetUtcNow()).Id;
            await db.SaveChangesAsync();
        }

        var claimed = await new OutboxStore(_database).ClaimAsync(_clock.GetUtcNow(), _clock.GetUtcNow().AddMinutes(1), 1, CancellationToken.None);

        Assert.Equal([id], claimed.Select(m => m.Id));
        Assert.DoesNotContain(id, emails);
    }
}
