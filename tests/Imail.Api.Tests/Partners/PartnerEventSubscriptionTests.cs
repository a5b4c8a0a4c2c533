using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Imail.Testing;
using Microsoft.EntityFrameworkCore;
using Xunit.Abstractions;

namespace Imail.Api.Tests.Partners;

/// <summary>
/// <c>partnerEvents</c> with the reference clients (graphql-ws over a WebSocket, graphql-sse over
/// SSE) on a real port, events enqueued through the outbox and logged by the worker's relay.
/// </summary>
public sealed class PartnerEventSubscriptionTests(SubscriptionApi api, ITestOutputHelper output) : IClassFixture<SubscriptionApi>
{
    [Theory]
    [InlineData("ws")]
    [InlineData("sse")]
    public async Task AnEventEnqueuedThroughTheOutbox_ReachesTheSubscriber(string transport)
    {
        var before = api.Backplane.LiveSubscribers;
        await using var client = await NodeSubscriber.StartAsync(transport, api.GraphQLUrl, api.PartnerToken(), count: 1);
        await api.WaitForSubscribersAsync(before + 1);

        var clock = Stopwatch.StartNew();
        var id = await api.EnqueueEventAsync($"live-{transport}");
        var received = await client.NextEventAsync();
        output.WriteLine($"{transport}: enqueue commit → event received by the Node client: {clock.ElapsedMilliseconds} ms");

        Assert.Equal(id.ToString(), received["id"]!.GetValue<string>());
        Assert.Equal("policyVersionPublished", received["type"]!.GetValue<string>());
        Assert.Equal(1, received["contractVersion"]!.GetValue<int>());
        var body = JsonNode.Parse(received["body"]!.GetValue<string>())!;
        Assert.Equal(id.ToString(), body["id"]!.GetValue<string>());
        Assert.Equal($"live-{transport}", body["data"]!["number"]!.GetValue<string>());
        Assert.False(string.IsNullOrEmpty(received["cursor"]!.GetValue<string>()));
        Assert.Equal(0, await client.ExitCodeAsync());
    }

    [Theory]
    [InlineData("ws")]
    [InlineData("sse")]
    public async Task Resuming_WithTheLastCursor_ReplaysWhatWasMissed_ThenGoesLive_NoGapNoDuplicate(string transport)
    {
        string firstCursor;
        await using (var first = await NodeSubscriber.StartAsync(transport, api.GraphQLUrl, api.PartnerToken(), count: 1))
        {
            await api.WaitForSubscribersAsync(1);
            await api.EnqueueEventAsync("r1");
            firstCursor = (await first.NextEventAsync())["cursor"]!.GetValue<string>();
            Assert.Equal(0, await first.ExitCodeAsync());
        }

        // Disconnected: two events are logged meanwhile.
        var missed = new[] { await api.EnqueueEventAsync("r2"), await api.EnqueueEventAsync("r3") };
        await Eventually.Async(() => LoggedAsync(missed), n => n == 2, "the missed events logged");

        var subscribers = api.Backplane.LiveSubscribers;
        await using var resumed = await NodeSubscriber.StartAsync(transport, api.GraphQLUrl, api.PartnerToken(), count: 4, after: firstCursor);
        var replayed = new[] { await resumed.NextEventAsync(), await resumed.NextEventAsync() };
        await api.WaitForSubscribersAsync(subscribers + 1);
        var live = new[] { await api.EnqueueEventAsync("r4"), await api.EnqueueEventAsync("r5") };
        var arrived = new[] { await resumed.NextEventAsync(), await resumed.NextEventAsync() };

        // The log's order is the order the relay logged them in (two relay loops may swap two events): compare as sets, in cursor order.
        var all = replayed.Concat(arrived).ToList();
        Assert.Equal(missed.Order(), replayed.Select(Id).Order());
        Assert.Equal(live.Order(), arrived.Select(Id).Order());
        var cursors = all.Select(e => long.Parse(e["cursor"]!.GetValue<string>())).ToList();
        Assert.Equal(cursors.Order(), cursors);
        Assert.Equal(4, cursors.Distinct().Count());
        Assert.Equal(0, await resumed.ExitCodeAsync()); // exactly four: nothing more was pending
    }

    [Fact]
    public async Task AMalformedCursor_IsInvalidCursor()
    {
        await using var client = await NodeSubscriber.StartAsync("ws", api.GraphQLUrl, api.PartnerToken(), count: 1, after: "not-a-cursor");

        var result = await client.NextAsync();

        Assert.Equal("INVALID_CURSOR", result["errors"]![0]!["extensions"]!["code"]!.GetValue<string>());
    }

    [Fact]
    public async Task ACursorWhoseEventLeftTheLog_IsCursorExpired()
    {
        await api.EnqueueEventAsync("old");
        await api.EnqueueEventAsync("kept");
        var oldest = await Eventually.Async(() => api.ExecuteDbAsync(db => db.Database
                .SqlQuery<long>($"SELECT sequence AS \"Value\" FROM partner_events ORDER BY sequence").ToListAsync()),
            s => s.Count >= 2, "two events logged");
        // What the retention purge does to an old event.
        await api.ExecuteDbAsync(db => db.Database.ExecuteSqlAsync($"DELETE FROM partner_events WHERE sequence = {oldest[0]}"));

        await using var client = await NodeSubscriber.StartAsync("sse", api.GraphQLUrl, api.PartnerToken(), count: 1, after: oldest[0].ToString());
        var result = await client.NextAsync();

        Assert.Equal("CURSOR_EXPIRED", result["errors"]![0]!["extensions"]!["code"]!.GetValue<string>());
    }

    [Fact]
    public async Task Sse_AValidationError_IsANextEvent_ThenComplete()
    {
        using var client = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, api.GraphQLUrl)
        {
            Content = new StringContent("""{"query":"subscription { partnerEvents { id } }"}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));

        using var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType!.MediaType);
        Assert.StartsWith("event: next\ndata: {\"errors\":[", text);
        Assert.Contains("AUTH_NOT_AUTHENTICATED", text);
        Assert.EndsWith("event: complete\ndata:\n\n", text);
    }

    [Fact]
    public async Task Sse_AMalformedRequest_IsAnHttpError_BeforeAnyStream()
    {
        using var client = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, api.GraphQLUrl) { Content = new StringContent("{ not json", Encoding.UTF8, "application/json") };
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("INVALID_JSON", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Sse_AQuery_IsOneNextEvent_ThenComplete()
    {
        using var client = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, api.GraphQLUrl + "?query=" + Uri.EscapeDataString("{ cookies { name } }"));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));

        using var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();

        Assert.StartsWith("event: next\ndata: {\"data\":{\"cookies\":", text);
        Assert.EndsWith("event: complete\ndata:\n\n", text);
    }

    private static Guid Id(JsonObject e) => Guid.Parse(e["id"]!.GetValue<string>());

    private Task<int> LoggedAsync(Guid[] ids) =>
        api.ExecuteDbAsync(db => db.Database.SqlQuery<int>($"SELECT count(*)::int AS \"Value\" FROM partner_events WHERE id = ANY({ids})").SingleAsync());
}
