using System.Diagnostics;
using System.Text.Json.Nodes;
using Imail.Domain.Partners;
using Imail.Testing;
using Imail.Worker.Partners;
using Imail.Worker.Tests.Relay;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace Imail.Worker.Tests.Partners;

public class WebhookDeliveryTests(WebhookFixture fixture, ITestOutputHelper output) : IClassFixture<WebhookFixture>, IAsyncLifetime
{
    private WebhookReceiver Receiver => fixture.Receiver;

    public Task InitializeAsync() => fixture.RemoveAllEndpointsAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task AnEvent_ReachesTheEndpoint_SignedPerStandardWebhooks_WithTheEventIdAsWebhookId()
    {
        var url = Receiver.Url();
        var (endpointId, secret) = await fixture.RegisterAsync("partner-sign", url);

        var eventId = await fixture.PublishAsync();

        var received = await Receiver.WaitForAsync(r => r.IsFor(url));
        Assert.Equal(eventId.ToString(), received.Id);
        Assert.StartsWith("application/json", received.Headers["content-type"].ToString());
        Assert.True(received.VerifiesWithThePackageAsIs(secret), "the reference verification refused the signature");
        Assert.False(received.VerifiesWith(WebhookEndpoint.NewSecret()), "another secret verified it");
        var body = JsonNode.Parse(received.Body)!;
        Assert.Equal((eventId.ToString(), PartnerEvents.PolicyVersionPublished, "2026-12-01"),
            ((string)body["id"]!, (string)body["type"]!, (string)body["data"]!["version"]!));

        var delivery = Assert.Single(await fixture.WaitForDeliveriesAsync("partner-sign", endpointId,
            d => d.Count == 1 && (string?)d[0]!["state"] == "DELIVERED", "delivered"));
        Assert.Equal((eventId.ToString(), PartnerEvents.PolicyVersionPublished, 1), ((string)delivery!["eventId"]!, (string)delivery["eventType"]!, (int)delivery["attempts"]!));
    }

    [Fact]
    public async Task AnEndpointFilteringTypes_GetsOnlyThose()
    {
        var url = Receiver.Url();
        var (endpointId, _) = await fixture.RegisterAsync("partner-filter", url, [PartnerEvents.PolicyVersionTakesEffect]);

        await fixture.PublishAsync(PartnerEvents.PolicyVersionPublished);
        var wanted = await fixture.PublishAsync(PartnerEvents.PolicyVersionTakesEffect);

        await Receiver.WaitForAsync(r => r.IsFor(url) && r.Id == wanted.ToString());
        var deliveries = await fixture.DeliveriesAsync("partner-filter", endpointId);
        Assert.Equal([wanted.ToString()], deliveries.Select(d => (string)d!["eventId"]!));
    }

    [Fact]
    public async Task AReceiverFailingTwice_GetsTheEventOnTheThirdAttempt_AfterTheRelaysBackoff()
    {
        var url = Receiver.Url(attempt => attempt <= 2 ? 503 : 204);
        var (endpointId, _) = await fixture.RegisterAsync("partner-retry", url);
        await fixture.PublishAsync();

        for (var attempt = 1; attempt <= 2; attempt++)
        {
            var n = attempt;
            var failed = Assert.Single(await fixture.WaitForDeliveriesAsync("partner-retry", endpointId,
                d => d.Count == 1 && (int)d[0]!["attempts"]! == n && d[0]!["lastError"] is not null
                    && d[0]!["nextAttemptAt"] is { } next && DateTimeOffset.Parse((string)next!) > fixture.Clock.GetUtcNow(), $"attempt {n} failed"));
            Assert.Equal(("PENDING", "HTTP 503 Service Unavailable"), ((string)failed!["state"]!, (string)failed["lastError"]!));
            fixture.Clock.Advance(TimeSpan.FromSeconds(13)); // past 5 s, then 10 s, + 20 % jitter
        }

        var delivered = Assert.Single(await fixture.WaitForDeliveriesAsync("partner-retry", endpointId,
            d => d.Count == 1 && (string?)d[0]!["state"] == "DELIVERED", "delivered on the third attempt"));
        Assert.Equal(3, (int)delivered!["attempts"]!);
        Assert.Equal([1, 2, 3], Receiver.Received.Where(r => r.IsFor(url)).Select(r => r.Attempt));
    }

    [Fact]
    public async Task A410Gone_DisablesTheEndpoint_AndLaterEventsOweItNothing()
    {
        var url = Receiver.Url(_ => 410);
        var (endpointId, _) = await fixture.RegisterAsync("partner-gone", url);
        await fixture.PublishAsync();

        var dead = Assert.Single(await fixture.WaitForDeliveriesAsync("partner-gone", endpointId,
            d => d.Count == 1 && (string?)d[0]!["state"] == "DEAD", "dead after 410"));
        Assert.Equal((1, "HTTP 410 Gone: the endpoint is now disabled."), ((int)dead!["attempts"]!, (string)dead["lastError"]!));
        var endpoint = await fixture.ExecuteDbAsync(db => db.WebhookEndpoints.AsNoTracking().SingleAsync(e => e.Id == endpointId));
        Assert.False(endpoint.IsActive);
        Assert.Equal(WebhookSender.DisabledByGone, endpoint.DisabledReason);

        // The next event is logged and fanned out (to another endpoint), not to the disabled one.
        var otherUrl = Receiver.Url();
        await fixture.RegisterAsync("partner-gone-other", otherUrl);
        var next = await fixture.PublishAsync();
        await Receiver.WaitForAsync(r => r.IsFor(otherUrl) && r.Id == next.ToString());
        Assert.Single(await fixture.DeliveriesAsync("partner-gone", endpointId));
        Assert.Single(Receiver.Received, r => r.IsFor(url));
    }

    [Fact]
    public async Task AHangingReceiver_OfOnePartner_DoesNotDelayAnotherPartnersDelivery()
    {
        var hanging = Receiver.Url(_ => WebhookReceiver.Hang);
        var healthy = Receiver.Url();
        var (hangingId, _) = await fixture.RegisterAsync("partner-a-hangs", hanging);
        await fixture.RegisterAsync("partner-b", healthy);

        var committed = Stopwatch.GetTimestamp();
        var eventId = await fixture.PublishAsync();

        var atB = await Receiver.WaitForAsync(r => r.IsFor(healthy) && r.Id == eventId.ToString());
        var delay = Stopwatch.GetElapsedTime(committed, atB.Arrived);
        output.WriteLine($"partner B received the event {delay.TotalMilliseconds:0} ms after the commit, while partner A's receiver hangs");
        Assert.Contains(Receiver.Received, r => r.IsFor(hanging));
        // A's deadline is 2 s (Imail:Webhooks:RequestTimeout); B did not wait for it.
        Assert.True(delay < TimeSpan.FromSeconds(1), $"B waited {delay.TotalMilliseconds:0} ms");

        var timedOut = Assert.Single(await fixture.WaitForDeliveriesAsync("partner-a-hangs", hangingId,
            d => d.Count == 1 && d[0]!["lastError"] is not null, "A's attempt timed out"));
        Assert.Equal("PENDING", (string)timedOut!["state"]!);
        Assert.StartsWith("Timed out after 2 s", (string)timedOut["lastError"]!);
    }

    [Fact]
    public async Task ARotation_SignsWithBothSecretsDuringTheOverlap_ThenWithTheNewOneOnly()
    {
        var url = Receiver.Url();
        var (endpointId, oldSecret) = await fixture.RegisterAsync("partner-rotate", url);
        var rotated = (await fixture.GraphQLAsync("""
            mutation($id: ID!) { rotateWebhookSecret(input: { endpointId: $id }) { secret endpoint { previousSecretExpiresAt } errors { code } } }
            """, new { id = endpointId }, fixture.PartnerToken("partner-rotate"))).DataOrFail()["rotateWebhookSecret"]!;
        var newSecret = (string)rotated["secret"]!;
        Assert.NotEqual(oldSecret, newSecret);
        Assert.Equal(fixture.Clock.GetUtcNow() + TimeSpan.FromHours(24), DateTimeOffset.Parse((string)rotated["endpoint"]!["previousSecretExpiresAt"]!));

        var stored = await fixture.ExecuteDbAsync(db => db.WebhookEndpoints.AsNoTracking().SingleAsync(e => e.Id == endpointId));
        Assert.Equal((oldSecret, newSecret), (stored.PreviousSecret, stored.Secret));
        var during = await fixture.PublishAsync();
        var first = await Receiver.WaitForAsync(r => r.IsFor(url) && r.Id == during.ToString());
        Assert.Equal(2, first.Headers["webhook-signature"].ToString().Split(' ').Length);
        Assert.True(first.VerifiesWith(oldSecret), "the old secret verifies during the overlap");
        Assert.True(first.VerifiesWith(newSecret), "the new secret verifies during the overlap");
        // The previous secret's signature comes first: a receiver on the .NET package (which checks only the first)
        // that has not deployed the new secret yet loses nothing.
        Assert.True(first.VerifiesWithThePackageAsIs(oldSecret), "the package as is, with the old secret, refused it during the overlap");

        fixture.Clock.Advance(TimeSpan.FromHours(24) + TimeSpan.FromSeconds(1));
        var after = await fixture.PublishAsync();
        var second = await Receiver.WaitForAsync(r => r.IsFor(url) && r.Id == after.ToString());
        Assert.Single(second.Headers["webhook-signature"].ToString().Split(' '));
        Assert.True(second.VerifiesWith(newSecret) && second.VerifiesWithThePackageAsIs(newSecret), "the new secret verifies");
        Assert.False(second.VerifiesWith(oldSecret), "the old secret still verifies after the overlap");
    }

    [Fact]
    public async Task AReplay_WithinTheRetention_DeliversTheEventsAgain_WithTheirIds_BeyondIt_IsATypedError()
    {
        var url = Receiver.Url();
        var (endpointId, secret) = await fixture.RegisterAsync("partner-replay", url);
        var since = fixture.Clock.GetUtcNow();
        var eventId = await fixture.PublishAsync();
        await Receiver.WaitForAsync(r => r.IsFor(url) && r.Id == eventId.ToString());
        fixture.Clock.Advance(TimeSpan.FromDays(2));

        var replay = (await fixture.GraphQLAsync("""
            mutation($id: ID!, $since: DateTimeOffset!) { replayWebhookEvents(input: { endpointId: $id, since: $since }) { replayed errors { code } } }
            """, new { id = endpointId, since }, fixture.PartnerToken("partner-replay"))).DataOrFail()["replayWebhookEvents"]!;
        Assert.Empty(replay["errors"]!.AsArray());
        Assert.Equal(1, (int)replay["replayed"]!);

        await Eventually.Async(() => Task.FromResult(Receiver.Received.Count(r => r.IsFor(url) && r.Id == eventId.ToString())), n => n == 2, "delivered again");
        Assert.All(Receiver.Received.Where(r => r.IsFor(url)), r => Assert.True(r.VerifiesWith(secret)));
        var deliveries = await fixture.WaitForDeliveriesAsync("partner-replay", endpointId, d => d.Count == 2 && d.All(x => (string?)x!["state"] == "DELIVERED"), "two deliveries");
        Assert.Equal(2, deliveries.Select(d => (string)d!["id"]!).Distinct().Count());
        Assert.All(deliveries, d => Assert.Equal(eventId.ToString(), (string)d!["eventId"]!));

        var beyond = (await fixture.GraphQLAsync("""
            mutation($id: ID!, $since: DateTimeOffset!) { replayWebhookEvents(input: { endpointId: $id, since: $since }) { replayed errors { code ... on InputError { field } } } }
            """, new { id = endpointId, since = fixture.Clock.GetUtcNow() - TimeSpan.FromDays(31) }, fixture.PartnerToken("partner-replay"))).DataOrFail()["replayWebhookEvents"]!;
        Assert.Null(beyond["replayed"]);
        Assert.Equal(("REPLAY_BEYOND_RETENTION", "since"), ((string)beyond["errors"]![0]!["code"]!, (string)beyond["errors"]![0]!["field"]!));
    }

    [Fact]
    public async Task TheFanOut_IsOneStatementPerBatch_AndRunningItTwiceOwesNothingMore()
    {
        var (a, _) = await fixture.RegisterAsync("partner-fan-a", Receiver.Url());
        var (b, _) = await fixture.RegisterAsync("partner-fan-b", Receiver.Url(), [PartnerEvents.PolicyVersionTakesEffect]);
        var published = await fixture.PublishAsync(PartnerEvents.PolicyVersionPublished);
        var takesEffect = await fixture.PublishAsync(PartnerEvents.PolicyVersionTakesEffect);
        await Eventually.Async(() => fixture.ExecuteDbAsync(db => db.PartnerEvents.CountAsync(e => e.Id == published || e.Id == takesEffect)), n => n == 2, "events logged");

        async Task<List<(Guid Id, string Payload)>> RowsAsync() => await fixture.ExecuteDbAsync(async db =>
            (await db.OutboxMessages.AsNoTracking().Where(m => m.Kind == WebhookDeliveries.Kind).Select(m => new { m.Id, m.Payload }).ToListAsync())
            .Select(m => (m.Id, m.Payload)).Where(m => m.Payload.Contains(published.ToString()) || m.Payload.Contains(takesEffect.ToString())).ToList());
        var before = await RowsAsync();
        // a gets both, b only the type it filters on.
        Assert.Equal(3, before.Count);
        Assert.Equal(2, before.Count(r => r.Payload.Contains(a.ToString())));
        Assert.Single(before, r => r.Payload.Contains(b.ToString()) && r.Payload.Contains(takesEffect.ToString()));
        // UUIDv7 layout, time of the event.
        Assert.All(before, r => Assert.Equal(7, r.Id.Version));

        // A relay that crashed after logging logs the same events again, and fans them out again: the same rows.
        var fanOut = fixture.Relay.Services.GetServices<IPartnerEventFanOut>().OfType<WebhookFanOut>().Single();
        await using (var connection = new Npgsql.NpgsqlConnection(fixture.ConnectionString))
        {
            await connection.OpenAsync();
            await using var transaction = await connection.BeginTransactionAsync();
            await fanOut.FanOutAsync(connection, transaction, [published, takesEffect], CancellationToken.None);
            await transaction.CommitAsync();
        }
        Assert.Equal(before.Select(r => r.Id).Order(), (await RowsAsync()).Select(r => r.Id).Order());
        Assert.Contains("JOIN webhook_endpoints", WebhookDeliveries.FanOutSql);
        Assert.StartsWith("INSERT INTO outbox_messages", WebhookDeliveries.FanOutSql.Trim());
    }

    [Fact]
    public async Task ADeliveryToARemovedEndpoint_HasNothingLeftToDo()
    {
        var url = Receiver.Url(_ => 503);
        var (endpointId, _) = await fixture.RegisterAsync("partner-removes", url);
        await fixture.PublishAsync();
        await Receiver.WaitForAsync(r => r.IsFor(url));
        var row = await Eventually.Async(() => fixture.ExecuteDbAsync(db => db.OutboxMessages
                .FromSqlRaw("SELECT * FROM outbox_messages WHERE kind = 'webhook' AND payload->>'endpointId' = {0}", endpointId.ToString()).AsNoTracking().ToListAsync()),
            rows => rows.Count == 1 && rows[0].LastError is not null && rows[0].LeasedUntil is null, "first attempt failed");

        var removed = (await fixture.GraphQLAsync("mutation($id: ID!) { removeWebhookEndpoint(input: { endpointId: $id }) { removedEndpointId errors { code } } }",
            new { id = endpointId }, fixture.PartnerToken("partner-removes"))).DataOrFail()["removeWebhookEndpoint"]!;
        Assert.Equal(endpointId.ToString(), (string)removed["removedEndpointId"]!);

        fixture.Clock.Advance(TimeSpan.FromSeconds(7));
        var done = await OutboxProbe.WaitForRowAsync(fixture.ConnectionString, row[0].Id, m => m.State == Domain.Outbox.OutboxState.Delivered, "nothing left to do");
        Assert.Equal(2, done.Attempts);
        Assert.Single(Receiver.Received, r => r.IsFor(url));
    }
}
