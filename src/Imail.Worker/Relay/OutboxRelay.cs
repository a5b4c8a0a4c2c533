using System.Diagnostics;
using Microsoft.Extensions.Options;

namespace Imail.Worker.Relay;

/// <summary>
/// Delivers the outbox: claims a batch of due messages under a lease, hands each to the sender
/// for its kind, and records the results; then claims again at once if the batch was full, or
/// sleeps until a NOTIFY, the next retry or the poll interval. Several processes (and
/// <see cref="RelayOptions.Parallelism"/> loops in each) run side by side; delivery is at least once.
/// </summary>
public sealed partial class OutboxRelay(
    OutboxStore store,
    IEnumerable<IOutboxSender> senders,
    RelayWakeUp wakeUp,
    TimeProvider clock,
    IOptions<RelayOptions> options,
    ILogger<OutboxRelay> log) : BackgroundService
{
    private static readonly TimeSpan MaxErrorPause = TimeSpan.FromSeconds(30);
    private readonly IOutboxSender[] _senders = senders.ToArray();
    private long _claims;
    private int _delivering;
    private int _mostDelivering;

    /// <summary>Claim statements issued since the start, empty ones included (diagnostics: what a wake-up cost).</summary>
    public long Claims => Interlocked.Read(ref _claims);

    /// <summary>The most batches this process has delivered at the same time (diagnostics: how many loops a backlog woke).</summary>
    public int MostBatchesAtOnce => Volatile.Read(ref _mostDelivering);

    protected override Task ExecuteAsync(CancellationToken stop) =>
        Task.WhenAll(Enumerable.Range(0, Math.Max(1, options.Value.Parallelism)).Select(_ => Task.Run(() => LoopAsync(stop), CancellationToken.None)));

    private async Task LoopAsync(CancellationToken stop)
    {
        var pause = TimeSpan.FromSeconds(1);
        DateTimeOffset? failingSince = null;
        while (!stop.IsCancellationRequested)
        {
            try
            {
                var (claimed, nextDue) = await RelayBatchAsync(stop);
                if (failingSince is { } since) Recovered(DateTimeOffset.UtcNow - since);
                failingSince = null;
                pause = TimeSpan.FromSeconds(1);
                if (claimed >= options.Value.BatchSize) continue;
                var wait = options.Value.PollInterval;
                if (nextDue is { } due && due - clock.GetUtcNow() < wait) wait = due - clock.GetUtcNow();
                await wakeUp.WaitAsync(wait, clock, stop);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // PostgreSQL unreachable or restarting (R3): one line per try, never a crash.
                if (failingSince is null) Failing(e.GetType().Name, e.Message, pause);
                else StillFailing(e.Message, pause);
                failingSince ??= DateTimeOffset.UtcNow;
                try
                {
                    await Task.Delay(pause, stop);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
                pause = TimeSpan.FromTicks(Math.Min(pause.Ticks * 2, MaxErrorPause.Ticks));
            }
        }
    }

    /// <summary>One claim, delivery and record. Returns how many messages were claimed and when the next retry falls due.</summary>
    public async Task<(int Claimed, DateTimeOffset? NextDue)> RelayBatchAsync(CancellationToken stop)
    {
        var o = options.Value;
        var now = clock.GetUtcNow();
        // The lease end is the claim's token in the result statements: whole microseconds, as PostgreSQL stores it.
        var leasedUntil = ToMicroseconds(now + o.Lease);
        var started = Stopwatch.GetTimestamp();
        // Statements are short and always run to completion: a claim cut off half-way would leave messages leased for nothing.
        var claimed = await store.ClaimAsync(now, leasedUntil, o.BatchSize, CancellationToken.None);
        Interlocked.Increment(ref _claims);
        if (claimed.Count == 0) return (0, await store.NextDueAsync(now, CancellationToken.None));
        // A full batch: more is probably waiting. One more loop joins in while this one delivers; it does the same.
        if (claimed.Count >= o.BatchSize) wakeUp.Signal();
        var running = Interlocked.Increment(ref _delivering);
        try
        {
            for (var max = Volatile.Read(ref _mostDelivering); running > max; max = Volatile.Read(ref _mostDelivering))
                if (Interlocked.CompareExchange(ref _mostDelivering, running, max) == max) break;
            return await DeliverClaimedAsync(claimed, now, leasedUntil, started, o, stop);
        }
        finally
        {
            Interlocked.Decrement(ref _delivering);
        }
    }

    private async Task<(int Claimed, DateTimeOffset? NextDue)> DeliverClaimedAsync(
        List<OutboxEnvelope> claimed, DateTimeOffset now, DateTimeOffset leasedUntil, long started, RelayOptions o, CancellationToken stop)
    {
        var claimMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        // No delivery starts once half the lease is gone, so none overlaps another relay's takeover.
        using var leaseRunningOut = new CancellationTokenSource(o.Lease / 2, clock);
        using var sending = CancellationTokenSource.CreateLinkedTokenSource(stop, leaseRunningOut.Token);
        // A notice that became pointless meanwhile (a worker was down past its deadline) is not sent late.
        var pointless = claimed.Where(m => m.IsPointlessAt(now)).ToList();
        var deliverable = pointless.Count == 0 ? claimed : claimed.Except(pointless).ToList();
        var results = await DeliverAsync(deliverable, sending.Token);
        var deliverMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds - claimMs;

        var completedAt = clock.GetUtcNow();
        var completions = new List<OutboxCompletion>(claimed.Count);
        foreach (var message in pointless)
        {
            Discarded(message.Id, message.Kind, message.DiscardAfter!.Value);
            completions.Add(new(message.Id, OutboxCompletionKind.Discarded));
        }
        for (var i = 0; i < deliverable.Count; i++) completions.Add(Decide(deliverable[i], results[i], completedAt, o));
        var nextDue = await RecordAsync(completions, completedAt, leasedUntil);
        Relayed(claimed.Count, Count(completions, OutboxCompletionKind.Delivered), Count(completions, OutboxCompletionKind.Retry),
            Count(completions, OutboxCompletionKind.Dead), Count(completions, OutboxCompletionKind.Released), pointless.Count,
            claimMs, deliverMs, Stopwatch.GetElapsedTime(started).TotalMilliseconds - claimMs - deliverMs);
        return (claimed.Count, nextDue);
    }

    private async Task<DeliveryResult[]> DeliverAsync(List<OutboxEnvelope> claimed, CancellationToken ct)
    {
        var results = new DeliveryResult[claimed.Count];
        var bySender = claimed.Select((message, index) => (message, index))
            .GroupBy(x => Array.Find(_senders, s => s.CanSend(x.message.Kind)));
        foreach (var group in bySender)
        {
            var items = group.ToList();
            if (group.Key is not { } sender)
            {
                // A kind this worker does not know (yet): perhaps a newer API wrote it; a newer worker will.
                foreach (var (m, i) in items) results[i] = DeliveryResult.Transient($"No sender for kind '{m.Kind}' in this worker.");
                continue;
            }
            try
            {
                var sent = await sender.SendAsync(items.ConvertAll(x => x.message), ct);
                for (var j = 0; j < items.Count; j++) results[items[j].index] = j < sent.Length ? sent[j] : DeliveryResult.NotAttempted;
            }
            catch (Exception e)
            {
                SenderFailed(sender.GetType().Name, e);
                foreach (var (_, i) in items) results[i] = DeliveryResult.Transient($"{e.GetType().Name}: {e.Message}");
            }
        }
        return results;
    }

    private OutboxCompletion Decide(OutboxEnvelope message, DeliveryResult result, DateTimeOffset now, RelayOptions o)
    {
        switch (result.Outcome)
        {
            case DeliveryOutcome.Delivered:
                return new(message.Id, OutboxCompletionKind.Delivered);
            case DeliveryOutcome.NotAttempted:
                return new(message.Id, OutboxCompletionKind.Released);
            case DeliveryOutcome.Permanent:
                Dead(message.Id, message.Kind, message.Attempt, result.Error);
                return new(message.Id, OutboxCompletionKind.Dead, result.Error);
            default:
                if (message.Attempt >= o.MaxAttempts)
                {
                    var error = $"{result.Error} (gave up after {message.Attempt} attempts)";
                    Dead(message.Id, message.Kind, message.Attempt, error);
                    return new(message.Id, OutboxCompletionKind.Dead, error);
                }
                var retryAt = now + RetrySchedule.Delay(o, message.Attempt, Random.Shared.NextDouble());
                WillRetry(message.Id, message.Kind, message.Attempt, retryAt, result.Error);
                return new(message.Id, OutboxCompletionKind.Retry, result.Error, retryAt);
        }
    }

    /// <summary>
    /// Results are worth a few tries: if they are lost, delivered messages are sent again when
    /// the lease ends (at least once, but fewer duplicates is better).
    /// </summary>
    private async Task<DateTimeOffset?> RecordAsync(List<OutboxCompletion> completions, DateTimeOffset now, DateTimeOffset leasedUntil)
    {
        var delay = TimeSpan.FromMilliseconds(200);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await store.CompleteAsync(completions, now, leasedUntil, CancellationToken.None);
            }
            catch (Exception e) when (attempt < 6)
            {
                RecordRetry(completions.Count, e.Message, delay);
                await Task.Delay(delay);
                delay *= 2;
            }
        }
    }

    private static int Count(List<OutboxCompletion> completions, OutboxCompletionKind kind) => completions.Count(c => c.Kind == kind);

    private static DateTimeOffset ToMicroseconds(DateTimeOffset t) =>
        new(t.UtcTicks - t.UtcTicks % TimeSpan.TicksPerMicrosecond, TimeSpan.Zero);

    [LoggerMessage(Level = LogLevel.Information, Message = "Relayed {Claimed} outbox messages: {Delivered} delivered, {Retried} to retry, {Dead} dead, {Released} put back, {Discarded} discarded (pointless by now) (claim {ClaimMs:0.0} ms, delivery {DeliveryMs:0.0} ms, record {RecordMs:0.0} ms)")]
    private partial void Relayed(int claimed, int delivered, int retried, int dead, int released, int discarded, double claimMs, double deliveryMs, double recordMs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Outbox message {OutboxId} ({Kind}) discarded unsent: pointless after {DiscardAfter:O}")]
    private partial void Discarded(Guid outboxId, string kind, DateTimeOffset discardAfter);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Outbox message {OutboxId} ({Kind}) failed attempt {Attempt}, retrying at {RetryAt:O}: {Error}")]
    private partial void WillRetry(Guid outboxId, string kind, int attempt, DateTimeOffset retryAt, string? error);

    [LoggerMessage(Level = LogLevel.Error, Message = "Outbox message {OutboxId} ({Kind}) is a dead letter after attempt {Attempt}: {Error}")]
    private partial void Dead(Guid outboxId, string kind, int attempt, string? error);

    [LoggerMessage(Level = LogLevel.Error, Message = "Outbox sender {Sender} failed")]
    private partial void SenderFailed(string sender, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not record the results of {Count} outbox messages ({Error}); trying again in {Delay}")]
    private partial void RecordRetry(int count, string error, TimeSpan delay);

    [LoggerMessage(Level = LogLevel.Error, Message = "Outbox relay cannot work ({ErrorType}: {Error}); trying again in {Pause}")]
    private partial void Failing(string errorType, string error, TimeSpan pause);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Outbox relay still cannot work ({Error}); trying again in {Pause}")]
    private partial void StillFailing(string error, TimeSpan pause);

    [LoggerMessage(Level = LogLevel.Information, Message = "Outbox relay working again after {Downtime}")]
    private partial void Recovered(TimeSpan downtime);
}
