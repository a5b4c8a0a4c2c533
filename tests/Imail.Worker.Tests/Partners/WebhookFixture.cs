using System.Text.Json.Nodes;
using Imail.Api.Auth;
using Imail.Domain.Partners;
using Imail.Testing;
using Imail.Worker.Tests.Relay;
using Microsoft.EntityFrameworkCore;

namespace Imail.Worker.Tests.Partners;

/// <summary>
/// The API (partners register endpoints), one in-process relay with the partner-event sender and webhooks, and a
/// webhook receiver on a loopback port, on the test's clock. The poll interval is an hour of fake time: what arrives
/// without moving the clock was woken by NOTIFY.
/// </summary>
public class WebhookFixture : ImailApiFactory
{
    public WebhookReceiver Receiver { get; private set; } = null!;
    public RelayHost Relay { get; private set; } = null!;

    protected virtual IDictionary<string, string?> RelaySettings => new Dictionary<string, string?>
    {
        ["Imail:Relay:PollInterval"] = "01:00:00",
        ["Imail:Relay:Parallelism"] = "1",
        ["Imail:Relay:MaxAttempts"] = "5",
        ["Imail:Webhooks:RequestTimeout"] = "00:00:02",
    };

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        Receiver = await WebhookReceiver.StartAsync();
        Relay = await RelayHost.StartAsync(ConnectionString, Clock, RelaySettings);
    }

    public override async Task DisposeAsync()
    {
        await Relay.DisposeAsync();
        await Receiver.DisposeAsync();
        await base.DisposeAsync();
    }

    public string PartnerToken(string partner) => Token(Roles.Partner, partner);

    /// <summary>Registers an endpoint through the API, as the partner would; returns its id and secret.</summary>
    public async Task<(Guid Id, string Secret)> RegisterAsync(string partner, string url, string[]? eventTypes = null)
    {
        var payload = (await GraphQLAsync("""
            mutation($url: String!, $types: [String!]) {
              registerWebhookEndpoint(input: { url: $url, eventTypes: $types }) { endpoint { id } secret errors { code message } }
            }
            """, new { url, types = eventTypes }, PartnerToken(partner))).DataOrFail()["registerWebhookEndpoint"]!;
        Assert.Empty(payload["errors"]!.AsArray());
        return (Guid.Parse((string)payload["endpoint"]!["id"]!), (string)payload["secret"]!);
    }

    /// <summary>A partner event committed the way a change enqueues one; the relay logs it and fans it out.</summary>
    public async Task<Guid> PublishAsync(string type = PartnerEvents.PolicyVersionPublished)
    {
        await using var db = OutboxProbe.Db(ConnectionString);
        var message = db.EnqueuePartnerEvent(type, new { version = "2026-12-01" }, Clock.GetUtcNow());
        await db.SaveChangesAsync();
        return message.Id;
    }

    /// <summary>The endpoint's deliveries as the partner reads them (<c>webhookDeliveries</c>).</summary>
    public async Task<JsonArray> DeliveriesAsync(string partner, Guid endpointId)
    {
        var data = (await GraphQLAsync("""
            query($id: ID!) { webhookDeliveries(endpointId: $id, first: 100) { nodes { id eventId eventType state attempts lastError deliveredAt deadAt nextAttemptAt } } }
            """, new { id = endpointId }, PartnerToken(partner))).DataOrFail();
        return data["webhookDeliveries"]!["nodes"]!.AsArray();
    }

    public Task<JsonArray> WaitForDeliveriesAsync(string partner, Guid endpointId, Func<JsonArray, bool> done, string what, TimeSpan? timeout = null) =>
        Eventually.Async(() => DeliveriesAsync(partner, endpointId), done, what, timeout);

    /// <summary>Test classes share one database: each test starts with no endpoint, so others' events owe it nothing.</summary>
    public Task RemoveAllEndpointsAsync() => ExecuteDbAsync(db => db.WebhookEndpoints.ExecuteDeleteAsync());
}
