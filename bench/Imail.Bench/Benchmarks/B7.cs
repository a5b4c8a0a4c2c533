using System.Buffers;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Imail.Api.Auth;
using Imail.Bench.Hosting;
using Imail.Bench.Measure;
using Imail.Bench.Reporting;
using Imail.Domain.ConnectedAccounts;
using Imail.Domain.Partners;
using Imail.Domain.Persistence;
using Imail.Domain.Policies;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Imail.Bench.Benchmarks;

/// <summary>
/// B7 (P13): a partner event, from the commit of the change that causes it to its arrival at subscribers
/// connected to the <em>other</em> API replica — outbox → worker relay → event log + NOTIFY → the replica's
/// LISTEN → its subscriptions → graphql-transport-ws frames over loopback TCP. 1,000 subscribers, half on
/// each replica. The baseline measured in the same run: PostgreSQL's own NOTIFY → LISTEN latency (a commit
/// carrying pg_notify, received by a listening connection), the floor any backplane on it has.
/// Also: the memory an idle subscription costs (managed heap, this process holding both replicas and clients).
/// </summary>
public sealed class B7 : IBenchmark
{
    public const double MaxP50Ms = 50;
    public const double MaxP99Ms = 250;
    public const int Subscribers = 1_000;
    /// <summary>Policy events are rare (a few a year): each is measured on its own, not as a flood, a quarter of a second apart.</summary>
    public const int Events = 40;
    public static readonly TimeSpan Spacing = TimeSpan.FromMilliseconds(250);
    private const int WarmUpRound = 20;
    private const int MaxWarmUpRounds = 10;
    private const int QuietJit = 20;

    public string Id => "B7";

    public async Task<ResultRow> RunAsync(BenchContext c)
    {
        var row = new ResultRow
        {
            Id = Id,
            What = I($"partner event: commit → {Subscribers / 2:N0} subscribers on the other API replica ({Subscribers:N0} across both, graphql-transport-ws), through the worker's relay and LISTEN/NOTIFY"),
            Target = I($"p50 ≤ {MaxP50Ms:0} ms, p99 ≤ {MaxP99Ms:0} ms"),
        };
        var db = c.Api.ConnectionString;
        var baseline = await NotifyLatencyAsync(db, Events, c.Cancellation);

        await using var other = new ApiUnderTest();
        other.UseDatabase(db);
        other.Start();
        await using var worker = await RelayWorker.StartAsync(db, new Dictionary<string, string?>());
        await RelayWorker.WaitReadyAsync(db, 1);

        var token = c.Api.Token(Roles.Partner, "b7-partner");
        var arrivals = new ConcurrentDictionary<Guid, ConcurrentBag<(int Replica, long At)>>();
        var clients = new List<Subscriber>(Subscribers);
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var heapBefore = GC.GetTotalMemory(true);
        try
        {
            for (var i = 0; i < Subscribers; i++)
            {
                var replica = i % 2;
                var client = new Subscriber(replica, replica == 0 ? c.Api.Address : other.Address, token, arrivals);
                await client.ConnectAsync(c.Cancellation);
                clients.Add(client);
            }
            GC.Collect();
            GC.WaitForPendingFinalizers();
            var heapConnected = GC.GetTotalMemory(true);
            foreach (var client in clients) await client.SubscribeAsync(c.Cancellation);
            await WaitAsync(() => clients.All(x => x.Subscribed), TimeSpan.FromSeconds(60), "every subscription acknowledged by its first keep-alive");
            GC.Collect();
            GC.WaitForPendingFinalizers();
            var heapSubscribed = GC.GetTotalMemory(true);
            var perConnection = (heapConnected - heapBefore) / (double)Subscribers;
            var perSubscription = (heapSubscribed - heapConnected) / (double)Subscribers;
            row.Notes.Add(I($"Memory: {perConnection / 1024:0.0} KB of managed heap per acknowledged connection and {perSubscription / 1024:0.0} KB more per idle subscription (server and client sides together: both replicas and the 1,000 clients live in this process; GC.GetTotalMemory after full collections)."));
            row.Figures["heapPerConnectionBytes"] = Math.Round(perConnection);
            row.Figures["heapPerSubscriptionBytes"] = Math.Round(perSubscription);

            // The publisher: what a mutation does — the event in the outbox, in the change's own transaction.
            var factory = c.Api.Services.GetRequiredService<IDbContextFactory<ImailDbContext>>();
            async Task<Dictionary<Guid, long>> PublishAsync(int count, TimeSpan spacing, Dictionary<Guid, DateTimeOffset>? wall = null)
            {
                var sent = new Dictionary<Guid, long>();
                for (var i = 0; i < count; i++)
                {
                    await using var context = await factory.CreateDbContextAsync(c.Cancellation);
                    var message = context.EnqueuePartnerEvent("b7.probe", new { n = i }, DateTimeOffset.UtcNow);
                    // From before the commit is sent, like the baseline: the commit's own round trip is counted.
                    sent[message.Id] = Stopwatch.GetTimestamp();
                    if (wall is not null) wall[message.Id] = DateTimeOffset.UtcNow;
                    await context.SaveChangesAsync(c.Cancellation);
                    await Task.Delay(spacing, c.Cancellation);
                }
                await WaitAsync(() => sent.Keys.All(id => arrivals.TryGetValue(id, out var a) && a.Count >= Subscribers), TimeSpan.FromSeconds(60),
                    "every event at every subscriber");
                return sent;
            }

            // A server runs for days: what is measured is its steady state, not the JIT's first pass over the path.
            // Warm-up rounds of events (not counted) until the runtime compiles next to nothing in a round; the very
            // first event (cold) is reported on its own.
            var cold = await PublishAsync(1, Spacing);
            var coldLatencies = cold.SelectMany(e => arrivals[e.Key].Where(a => a.Replica == 1).Select(a => Stopwatch.GetElapsedTime(e.Value, a.At).TotalMilliseconds)).ToList();
            var warmUpEvents = 1;
            long lastRound = -1;
            for (var round = 0; round < MaxWarmUpRounds && lastRound is < 0 or > QuietJit; round++)
            {
                var compiled = System.Runtime.JitInfo.GetCompiledMethodCount();
                warmUpEvents += (await PublishAsync(WarmUpRound, Spacing / 5)).Count;
                await Task.Delay(TimeSpan.FromSeconds(1), c.Cancellation); // the tier-1 compilations queued by the round
                lastRound = System.Runtime.JitInfo.GetCompiledMethodCount() - compiled;
            }
            var coldPercentiles = Percentiles.Of(coldLatencies);
            row.Notes.Add(lastRound <= QuietJit
                ? I($"Warm-up: {warmUpEvents} events, not counted, until a round of {WarmUpRound} made the runtime compile ≤ {QuietJit} methods ({lastRound}). The first (cold) event reached the other replica's subscribers after p50 {coldPercentiles.P50:0.0} ms, max {coldPercentiles.Max:0.0} ms.")
                : I($"Warm-up: {warmUpEvents} events, not counted; the JIT was still busy ({lastRound} methods in the last round of {WarmUpRound}): the figures below include compilation. The first (cold) event: p50 {coldPercentiles.P50:0.0} ms."));
            row.Figures["coldP50Ms"] = Math.Round(coldPercentiles.P50, 2);
            row.Figures["warmUpEvents"] = warmUpEvents;

            var committedWall = new Dictionary<Guid, DateTimeOffset>();
            var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
            var committedAt = await PublishAsync(Events, Spacing, committedWall);
            var cpuPerEvent = (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalMilliseconds / Events;
            row.Notes.Add(I($"CPU per event, this whole process (both replicas, the worker, the 1,000 clients): {cpuPerEvent:0.0} ms, {cpuPerEvent * 1000 / Subscribers:0} µs per delivery."));
            row.Figures["cpuMsPerEvent"] = Math.Round(cpuPerEvent, 2);

            var missing = committedAt.Keys.Sum(id => Subscribers - (arrivals.TryGetValue(id, out var a) ? a.Count : 0));
            row.Check(missing == 0, I($"{Events} events × {Subscribers:N0} subscribers all arrived ({missing:N0} missing)"));
            row.Check(clients.All(x => x.Errors == 0), I($"no subscription ended in error ({clients.Sum(x => x.Errors)})"));
            var latencies = new List<double>[2] { [], [] };
            foreach (var (id, at) in committedAt)
                if (arrivals.TryGetValue(id, out var bag))
                    foreach (var (replica, arrived) in bag)
                        latencies[replica].Add(Stopwatch.GetElapsedTime(at, arrived).TotalMilliseconds);
            // Where the time goes: the first subscriber of each event on the other replica (the pipeline) and the last (the fan-out).
            var firsts = new List<double>();
            var lasts = new List<double>();
            foreach (var (id, at) in committedAt)
                if (arrivals.TryGetValue(id, out var bag) && bag.Where(a => a.Replica == 1).Select(a => Stopwatch.GetElapsedTime(at, a.At).TotalMilliseconds).ToList() is { Count: > 0 } times)
                {
                    firsts.Add(times.Min());
                    lasts.Add(times.Max());
                }
            var logged = new List<double>();
            await using (var connection = new NpgsqlConnection(db))
            {
                await connection.OpenAsync(c.Cancellation);
                await using var read = new NpgsqlCommand("SELECT id, logged_at FROM partner_events WHERE type = 'b7.probe'", connection);
                await using var reader = await read.ExecuteReaderAsync(c.Cancellation);
                while (await reader.ReadAsync(c.Cancellation))
                    if (committedWall.TryGetValue(reader.GetGuid(0), out var wall))
                        logged.Add((reader.GetFieldValue<DateTimeOffset>(1) - wall).TotalMilliseconds);
            }
            var relay = Percentiles.Of(logged);
            row.Notes.Add(I($"Commit → the worker logging the event (its clock): p50 {relay.P50:0.0} ms, p99 {relay.P99:0.0} ms."));
            var first = Percentiles.Of(firsts);
            var last = Percentiles.Of(lasts);
            row.Notes.Add(I($"Per event, on the other replica: its first subscriber got it after p50 {first.P50:0.0} ms (p99 {first.P99:0.0}), its last after p50 {last.P50:0.0} ms (p99 {last.P99:0.0}): the pipeline to the replica, then the fan-out to its {Subscribers / 2:N0} subscribers."));
            row.Figures["firstSubscriberP50Ms"] = Math.Round(first.P50, 2);
            row.Figures["lastSubscriberP50Ms"] = Math.Round(last.P50, 2);
            var otherReplica = Percentiles.Of(latencies[1]);
            var sameReplica = Percentiles.Of(latencies[0]);
            row.GraphQL = I($"p50 {otherReplica.P50:0.0} ms, p99 {otherReplica.P99:0.0} ms (other replica)");
            row.Baseline = I($"NOTIFY → LISTEN p50 {baseline.P50:0.00} ms, p99 {baseline.P99:0.00} ms");
            row.Ratio = I($"{otherReplica.P50 / baseline.P50:0.0}× the NOTIFY floor at p50");
            row.Notes.Add(I($"Subscribers on the replica the publisher's process also serves: p50 {sameReplica.P50:0.0} ms, p99 {sameReplica.P99:0.0} ms (the event goes through the worker either way)."));
            row.Notes.Add(I($"{Events} events, one every {Spacing.TotalMilliseconds:0} ms, each committed by `EnqueuePartnerEvent` + `SaveChanges` (what a mutation does); timed from just before the commit is sent to the `next` frame parsed by each client (the baseline likewise from just before its pg_notify statement)."));
            row.Figures["p50Ms"] = Math.Round(otherReplica.P50, 2);
            row.Figures["p99Ms"] = Math.Round(otherReplica.P99, 2);
            row.Figures["maxMs"] = Math.Round(otherReplica.Max, 2);
            row.Figures["sameReplicaP50Ms"] = Math.Round(sameReplica.P50, 2);
            row.Figures["notifyP50Ms"] = Math.Round(baseline.P50, 3);
            row.Figures["notifyP99Ms"] = Math.Round(baseline.P99, 3);
            row.Decide(otherReplica.P50 <= MaxP50Ms && otherReplica.P99 <= MaxP99Ms);
        }
        finally
        {
            foreach (var client in clients) await client.DisposeAsync();
        }
        await AnnouncementAsync(c, row);
        return row;
    }

    public const int AnnouncedUsers = 100_000;

    /// <summary>
    /// The announcement of a substantial version to 100,000 users: the publication as staff run it
    /// (<see cref="PolicyBook.PublishAsync"/>: one INSERT … SELECT per batch of users, in the publishing transaction),
    /// timed, its statements counted; against one bare INSERT … SELECT of the same rows (the floor).
    /// </summary>
    private static async Task AnnouncementAsync(BenchContext c, ResultRow row)
    {
        var db = c.Api.ConnectionString;
        var existing = await BenchSql.ScalarAsync(db, "SELECT count(*) FROM users");
        // The bench's users, topped up to 100,000 (ids of their own, so they never meet Seed's).
        if (existing < AnnouncedUsers)
            await BenchSql.ExecuteAsync(db, I($"""
                INSERT INTO users (id, email, display_name, locale, status, created_at, updated_at)
                SELECT ('01900007-0000-7000-8000-' || lpad(to_hex(g), 12, '0'))::uuid, 'b7.user' || g || '@example.org', 'B7 User ' || g,
                       (ARRAY['Fr', 'Nl', 'En'])[1 + g % 3], 'Active', now() - make_interval(days => g % 1000), now()
                FROM generate_series(1, {AnnouncedUsers - existing}) AS g;
                ANALYZE users;
                """), c.Cancellation);
        var users = await BenchSql.ScalarAsync(db, "SELECT count(*) FROM users");
        var options = c.Api.Services.GetRequiredService<IOptions<PolicyOptions>>().Value;
        var providers = c.Api.Services.GetRequiredService<IOptions<ConnectedAccountProviders>>().Value;
        var number = "b7-" + DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        await using (var context = await c.Api.Services.GetRequiredService<IDbContextFactory<ImailDbContext>>().CreateDbContextAsync(c.Cancellation))
            await new PolicyBook(context, TimeProvider.System).DraftAsync(number, new PolicyVersionChange(DateTimeOffset.UtcNow.AddDays(30), true, false,
                new LocalizedTextChange("Résumé.", "Samenvatting.", "Summary."), new LocalizedTextChange("Texte.", "Tekst.", "Text.")), providers, c.Cancellation);
        Publication publication;
        var clock = Stopwatch.StartNew();
        await using (var context = await c.Api.Services.GetRequiredService<IDbContextFactory<ImailDbContext>>().CreateDbContextAsync(c.Cancellation))
            publication = await new PolicyBook(context, TimeProvider.System).PublishAsync(number, options, c.Cancellation);
        var seconds = clock.Elapsed.TotalSeconds;
        row.Check(publication.Announced == users, I($"the announcement was queued for every user ({publication.Announced:N0} of {users:N0})"));
        await BenchSql.ExecuteAsync(db, "DELETE FROM outbox_messages WHERE kind = 'email.policy-version-announcement'", c.Cancellation);

        clock.Restart();
        await BenchSql.ExecuteAsync(db, """
            INSERT INTO outbox_messages (id, kind, payload, user_id, state, created_at, available_at, attempts)
            SELECT gen_random_uuid(), 'email.b7-floor', jsonb_build_object('to', email, 'locale', locale), id, 'Delivered', now(), now(), 0
            FROM users
            """, c.Cancellation);
        var floor = clock.Elapsed.TotalSeconds;
        await BenchSql.ExecuteAsync(db, "DELETE FROM outbox_messages WHERE kind = 'email.b7-floor'", c.Cancellation);
        row.Notes.Add(I($"Announcement of a substantial version to {users:N0} users: published in {seconds:0.00} s, {publication.AnnouncementStatements} INSERT … SELECT statements of {options.AnnouncementBatchSize:N0} users, in the publishing transaction (no user loaded in .NET); one bare INSERT … SELECT of the same {users:N0} rows: {floor:0.00} s ({seconds / floor:0.0}×)."));
        row.Figures["announcementUsers"] = users;
        row.Figures["announcementSeconds"] = Math.Round(seconds, 3);
        row.Figures["announcementStatements"] = publication.AnnouncementStatements;
        row.Figures["announcementFloorSeconds"] = Math.Round(floor, 3);
    }



    /// <summary>PostgreSQL's NOTIFY → LISTEN latency on this machine: the commit of a pg_notify, to the listener's callback.</summary>
    private static async Task<Percentiles> NotifyLatencyAsync(string db, int count, CancellationToken ct)
    {
        await using var listener = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(db) { Pooling = false }.ConnectionString);
        await listener.OpenAsync(ct);
        var received = new ConcurrentDictionary<string, long>();
        listener.Notification += (_, e) => received[e.Payload] = Stopwatch.GetTimestamp();
        await using (var listen = new NpgsqlCommand("LISTEN b7_baseline", listener)) await listen.ExecuteNonQueryAsync(ct);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var waiting = Task.Run(async () =>
        {
            try
            {
                while (!stop.IsCancellationRequested) await listener.WaitAsync(stop.Token);
            }
            catch (OperationCanceledException)
            {
            }
        }, CancellationToken.None);
        await using var sender = new NpgsqlConnection(db);
        await sender.OpenAsync(ct);
        var sent = new Dictionary<string, long>();
        for (var i = 0; i < count; i++)
        {
            var payload = i.ToString(CultureInfo.InvariantCulture);
            await using var command = new NpgsqlCommand($"SELECT pg_notify('b7_baseline', '{payload}')", sender);
            // From before the statement: the notification can arrive before the command's reply is read.
            sent[payload] = Stopwatch.GetTimestamp();
            await command.ExecuteNonQueryAsync(ct);
            await Task.Delay(10, ct);
        }
        await WaitAsync(() => received.Count >= count, TimeSpan.FromSeconds(10), "every baseline notification");
        await stop.CancelAsync();
        await waiting;
        return Percentiles.Of(sent.Select(s => Stopwatch.GetElapsedTime(s.Value, received[s.Key]).TotalMilliseconds));
    }

    private static async Task WaitAsync(Func<bool> done, TimeSpan limit, string what)
    {
        var waited = Stopwatch.StartNew();
        while (!done())
        {
            if (waited.Elapsed > limit) throw new Load.BenchException($"B7: waited {limit.TotalSeconds:0} s for {what}.");
            await Task.Delay(20);
        }
    }

    private static string I(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);

    /// <summary>A partner's graphql-transport-ws client, as small as the protocol allows: init, one subscription, pong, next.</summary>
    private sealed class Subscriber(int replica, Uri api, string token, ConcurrentDictionary<Guid, ConcurrentBag<(int, long)>> arrivals) : IAsyncDisposable
    {
        private readonly ClientWebSocket _socket = new();
        private readonly CancellationTokenSource _stop = new();
        private Task _reading = Task.CompletedTask;
        private readonly TaskCompletionSource _acked = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public bool Subscribed { get; private set; }
        public int Errors { get; private set; }

        public async Task ConnectAsync(CancellationToken ct)
        {
            _socket.Options.AddSubProtocol("graphql-transport-ws");
            await _socket.ConnectAsync(new Uri(new Uri(api.ToString().Replace("http", "ws", StringComparison.Ordinal)), "/graphql"), ct);
            _reading = Task.Run(ReadAsync, CancellationToken.None);
            await SendAsync(JsonSerializer.Serialize(new { type = "connection_init", payload = new { authorization = $"Bearer {token}" } }), ct);
            await _acked.Task.WaitAsync(TimeSpan.FromSeconds(30), ct);
        }

        public async Task SubscribeAsync(CancellationToken ct)
        {
            await SendAsync(JsonSerializer.Serialize(new
            {
                id = "1",
                type = "subscribe",
                payload = new { query = "subscription { partnerEvents(types: [\"b7.probe\"]) { id type body } }" },
            }), ct);
            // Subscribed once the server answers a ping sent after the subscribe: frames are handled in order.
            await SendAsync("{\"type\":\"ping\"}", ct);
        }

        private async Task SendAsync(string text, CancellationToken ct) =>
            await _socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, ct);

        private async Task ReadAsync()
        {
            var buffer = new ArrayBufferWriter<byte>();
            try
            {
                while (_socket.State == WebSocketState.Open)
                {
                    buffer.ResetWrittenCount();
                    ValueWebSocketReceiveResult result;
                    do
                    {
                        result = await _socket.ReceiveAsync(buffer.GetMemory(4096), _stop.Token);
                        buffer.Advance(result.Count);
                    }
                    while (!result.EndOfMessage);
                    if (result.MessageType == WebSocketMessageType.Close) return;
                    var at = Stopwatch.GetTimestamp();
                    using var frame = JsonDocument.Parse(buffer.WrittenMemory);
                    switch (frame.RootElement.GetProperty("type").GetString())
                    {
                        case "connection_ack":
                            _acked.TrySetResult();
                            break;
                        case "ping":
                            await SendAsync("{\"type\":\"pong\"}", _stop.Token);
                            break;
                        case "pong":
                            Subscribed = true;
                            break;
                        case "next":
                            var id = Guid.Parse(frame.RootElement.GetProperty("payload").GetProperty("data").GetProperty("partnerEvents").GetProperty("id").GetString()!);
                            arrivals.GetOrAdd(id, _ => []).Add((replica, at));
                            break;
                        case "error":
                        case "complete":
                            Errors++;
                            break;
                    }
                }
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
            }
            catch (WebSocketException)
            {
                Errors++;
            }
        }

        public async ValueTask DisposeAsync()
        {
            try
            {
                if (_socket.State == WebSocketState.Open)
                    await _socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(2));
            }
            catch (Exception)
            {
                // The replica may already be gone.
            }
            await _stop.CancelAsync();
            await _reading.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            _socket.Dispose();
            _stop.Dispose();
        }
    }
}
