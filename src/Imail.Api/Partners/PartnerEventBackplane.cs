using System.Threading.Channels;
using GraphQL;
using Imail.Api.GraphQL;
using Imail.Api.GraphQL.Http;
using Imail.Domain.Partners;
using Imail.Domain.Persistence;
using Imail.Worker;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;

namespace Imail.Api.Partners;

/// <summary>
/// Brings the partner-event log to this replica's subscribers. One unpooled connection LISTENs on
/// <see cref="PartnerEvents.Channel"/> (notified by whichever worker logged events); each
/// notification, each reconnection and each <see cref="SubscriptionOptions.PollInterval"/> reads
/// the rows after the last one fanned out (<c>WHERE sequence &gt; @last ORDER BY sequence LIMIT n</c>)
/// and offers them to every live subscriber. The log's sequences are in commit order, so reading
/// from the last one seen misses nothing, whatever was committed while the connection was down (R3).
/// </summary>
/// <remarks>
/// A subscriber resuming from a cursor replays from the log first, then joins the live fan-out at
/// the point it replayed to, under the same lock the fan-out takes: no event between the two is
/// missed or sent twice. Each subscriber has a bounded queue; one that falls behind is ended
/// with <c>SUBSCRIBER_TOO_SLOW</c> (it resumes from its last cursor), never waited for.
/// </remarks>
public sealed partial class PartnerEventBackplane : BackgroundService, IAsyncDisposable
{
    private readonly SubscriptionOptions _options;
    private readonly PartnerEventOptions _events;
    private readonly ILogger _log;
    private readonly Lazy<NpgsqlDataSource> _dataSource;
    private readonly Lazy<string> _listenerConnectionString;
    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private readonly Lock _gate = new();
    private readonly HashSet<Subscriber> _live = [];
    private long _last; // the newest sequence fanned out; written only by the fan-out loop, under _gate

    public PartnerEventBackplane(IConfiguration configuration, IOptions<SubscriptionOptions> options, IOptions<PartnerEventOptions> events, ILogger<PartnerEventBackplane> log)
    {
        _options = options.Value;
        _events = events.Value;
        _log = log;
        string ConnectionString() => configuration.GetConnectionString(DatabaseSetup.ConnectionStringName) is { Length: > 0 } cs
            ? cs
            : throw new InvalidOperationException($"ConnectionStrings:{DatabaseSetup.ConnectionStringName} is not set: subscriptions have no event log.");
        _dataSource = new(() => new NpgsqlDataSourceBuilder(
            new NpgsqlConnectionStringBuilder(ConnectionString()) { ApplicationName = "imail-api-subscriptions" }.ConnectionString).Build());
        // Keepalive: a dead server is noticed while waiting for notifications, not only at the next statement.
        _listenerConnectionString = new(() => new NpgsqlConnectionStringBuilder(ConnectionString())
        {
            ApplicationName = "imail-api-subscriptions-listener",
            Pooling = false,
            KeepAlive = 10,
        }.ConnectionString);
    }

    /// <summary>Subscribers receiving live events on this replica now (tests and health wait on it).</summary>
    public int LiveSubscribers
    {
        get
        {
            lock (_gate) return _live.Count;
        }
    }

    /// <summary>The newest sequence this replica fanned out.</summary>
    public long LastSequence
    {
        get
        {
            lock (_gate) return _last;
        }
    }

    /// <summary>Times the LISTEN connection was (re)established: 1 after the start, more after each loss.</summary>
    public int Connections { get; private set; }

    /// <summary>
    /// Checks a resume cursor against the log: the event it names must still be there (else
    /// <c>CURSOR_EXPIRED</c>, when the log has moved past it, or <c>INVALID_CURSOR</c>).
    /// </summary>
    public async Task<long> CheckCursorAsync(string text, CancellationToken ct)
    {
        if (!PartnerEventCursor.TryParse(text, out var sequence)) throw PartnerEventCursor.Malformed(text);
        await using var command = _dataSource.Value.CreateCommand(
            "SELECT EXISTS (SELECT 1 FROM partner_events WHERE sequence = $1), (SELECT min(sequence) FROM partner_events)");
        command.Parameters.Add(new NpgsqlParameter { Value = sequence });
        await using var reader = await command.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        if (reader.GetBoolean(0)) return sequence;
        if (reader.IsDBNull(1) || sequence < reader.GetInt64(1)) throw PartnerEventCursor.TooOld(sequence, _events.EventRetention);
        throw PartnerEventCursor.Unknown(sequence);
    }

    /// <summary>The events after <paramref name="after"/> (or from now on), of <paramref name="types"/> only when given.</summary>
    public IObservable<PartnerEventMessage> Subscribe(long? after, IReadOnlyCollection<string>? types) => new Stream(this, after, types is { Count: > 0 } ? [.. types] : null);

    protected override async Task ExecuteAsync(CancellationToken stop)
    {
        var listening = ListenAsync(stop);
        var fanningOut = FanOutAsync(stop);
        await Task.WhenAll(listening, fanningOut);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        // Subscribers end with the server: their clients reconnect to another replica and resume.
        Subscriber[] ending;
        lock (_gate)
        {
            ending = [.. _live];
            _live.Clear();
        }
        foreach (var subscriber in ending) subscriber.Events.Writer.TryComplete(new ServerGoingAwayException());
    }

    private Task ListenAsync(CancellationToken stop) =>
        NotificationListener.ListenAsync(() => new NpgsqlConnection(_listenerConnectionString.Value), PartnerEvents.Channel,
            () => _wake.Writer.TryWrite(true),
            listening: downtime =>
            {
                if (downtime is { } d) Reconnected(d);
                else Listening(PartnerEvents.Channel);
                Connections++;
                // Whatever was logged while nobody listened is read now.
                _wake.Writer.TryWrite(true);
            },
            lost: (e, delay, first) =>
            {
                if (first) Lost(e.GetType().Name, e.Message, delay);
                else StillLost(e.Message, delay);
            },
            stop);

    private async Task FanOutAsync(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            try
            {
                using var poll = CancellationTokenSource.CreateLinkedTokenSource(stop);
                poll.CancelAfter(_options.PollInterval);
                await _wake.Reader.ReadAsync(poll.Token);
            }
            catch (OperationCanceledException) when (!stop.IsCancellationRequested)
            {
                // The poll: read anyway.
            }
            catch (OperationCanceledException)
            {
                return;
            }
            try
            {
                if (!_ready.Task.IsCompleted)
                {
                    // Live subscribers start from the log's end as this replica first sees it.
                    await using var max = _dataSource.Value.CreateCommand("SELECT coalesce(max(sequence), 0) FROM partner_events");
                    var newest = (long)(await max.ExecuteScalarAsync(stop))!;
                    lock (_gate) _last = newest;
                    _ready.TrySetResult();
                }
                await CatchUpAsync(stop);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // The database is away: the listener reconnects and wakes this loop, which reads from where it was.
                ReadFailed(e.GetType().Name, e.Message);
            }
        }
    }

    private async Task CatchUpAsync(CancellationToken ct)
    {
        while (true)
        {
            var rows = await ReadAsync(LastSequence, null, null, ct);
            if (rows.Count == 0) return;
            lock (_gate)
            {
                foreach (var row in rows)
                {
                    List<Subscriber>? slow = null;
                    foreach (var subscriber in _live)
                        if (!subscriber.Offer(row)) (slow ??= []).Add(subscriber);
                    foreach (var subscriber in slow ?? []) _live.Remove(subscriber);
                    _last = row.Sequence;
                }
            }
            if (rows.Count < _options.ReadBatchSize) return;
        }
    }

    /// <summary>One batch of the log after <paramref name="after"/>, up to <paramref name="upTo"/> when given, of <paramref name="types"/> when given.</summary>
    private async Task<List<PartnerEventMessage>> ReadAsync(long after, long? upTo, string[]? types, CancellationToken ct)
    {
        await using var command = _dataSource.Value.CreateCommand($"""
            SELECT sequence, id, type, coalesce((body->>'contractVersion')::int, {PartnerEvents.ContractVersion}), occurred_at, body::text
            FROM partner_events
            WHERE sequence > $1 AND ($2::bigint IS NULL OR sequence <= $2) AND ($3::text[] IS NULL OR type = ANY($3))
            ORDER BY sequence LIMIT $4
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = after });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)upTo ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Bigint });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)types ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter { Value = _options.ReadBatchSize });
        var rows = new List<PartnerEventMessage>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
            rows.Add(new PartnerEventMessage(reader.GetInt64(0), reader.GetGuid(1), reader.GetString(2), reader.GetInt32(3),
                reader.GetFieldValue<DateTimeOffset>(4), reader.GetString(5)));
        return rows;
    }

    /// <summary>
    /// Replays the log after the subscriber's cursor up to what the fan-out has reached, then joins the
    /// fan-out there; loops while the fan-out moved on during the replay.
    /// </summary>
    private async Task JoinAsync(Subscriber subscriber, long? after, CancellationToken ct)
    {
        await _ready.Task.WaitAsync(ct);
        if (after is null)
        {
            lock (_gate)
            {
                subscriber.Cursor = _last;
                _live.Add(subscriber);
            }
            return;
        }
        var cursor = after.Value;
        while (true)
        {
            long target;
            lock (_gate)
            {
                if (cursor >= _last)
                {
                    subscriber.Cursor = cursor;
                    _live.Add(subscriber);
                    return;
                }
                target = _last;
            }
            // Everything up to target is in the log (the fan-out read it there), and nothing after it has been fanned out yet.
            while (true)
            {
                var rows = await ReadAsync(cursor, target, subscriber.Types, ct);
                foreach (var row in rows) await subscriber.Events.Writer.WriteAsync(row, ct);
                if (rows.Count < _options.ReadBatchSize) break;
                cursor = rows[^1].Sequence;
            }
            cursor = target;
        }
    }

    private void Leave(Subscriber subscriber)
    {
        lock (_gate) _live.Remove(subscriber);
    }

    public override void Dispose()
    {
        base.Dispose();
        if (_dataSource.IsValueCreated) _dataSource.Value.Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        base.Dispose();
        if (_dataSource.IsValueCreated) await _dataSource.Value.DisposeAsync();
    }

    /// <summary>One subscription on this replica: its filter, its place in the log, its bounded queue.</summary>
    private sealed class Subscriber(string[]? types, int capacity)
    {
        public string[]? Types { get; } = types;

        /// <summary>The newest sequence offered to it; the fan-out skips what is not after it.</summary>
        public long Cursor { get; set; }

        public Channel<PartnerEventMessage> Events { get; } = Channel.CreateBounded<PartnerEventMessage>(
            new BoundedChannelOptions(capacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });

        /// <summary>Offers a live event; false when the queue is full, and then the subscriber is ended.</summary>
        public bool Offer(PartnerEventMessage row)
        {
            if (row.Sequence <= Cursor) return true;
            Cursor = row.Sequence;
            if (Types is not null && !Types.Contains(row.Type, StringComparer.Ordinal)) return true;
            if (Events.Writer.TryWrite(row)) return true;
            Events.Writer.TryComplete(new SubscriberTooSlowException());
            return false;
        }
    }

    /// <summary>The events of one subscription: each observer gets its own subscriber, replay and queue.</summary>
    private sealed class Stream(PartnerEventBackplane backplane, long? after, string[]? types) : IObservable<PartnerEventMessage>
    {
        public IDisposable Subscribe(IObserver<PartnerEventMessage> observer)
        {
            var end = new CancellationTokenSource();
            _ = PumpAsync(observer, end.Token);
            return new Unsubscriber(end);
        }

        private async Task PumpAsync(IObserver<PartnerEventMessage> observer, CancellationToken ct)
        {
            var subscriber = new Subscriber(types, backplane._options.MaxPendingMessages);
            var joining = JoinAsync(subscriber, ct);
            try
            {
                await foreach (var row in subscriber.Events.Reader.ReadAllAsync(ct))
                {
                    observer.OnNext(row);
                }
                observer.OnCompleted();
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                // Unsubscribed.
            }
            catch (Exception e)
            {
                observer.OnError(e switch
                {
                    ExecutionError error => error,
                    _ when Hosting.DatabaseOutage.Is(e) => new ServiceUnavailableError(e),
                    _ => e,
                });
            }
            finally
            {
                backplane.Leave(subscriber);
                await joining;
            }
        }

        private async Task JoinAsync(Subscriber subscriber, CancellationToken ct)
        {
            try
            {
                await backplane.JoinAsync(subscriber, after, ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
            }
            catch (Exception e)
            {
                subscriber.Events.Writer.TryComplete(e);
            }
        }
    }

    private sealed class Unsubscriber(CancellationTokenSource end) : IDisposable
    {
        public void Dispose()
        {
            try
            {
                end.Cancel();
            }
            catch (ObjectDisposedException)
            {
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Listening on PostgreSQL channel {Channel} for partner events")]
    private partial void Listening(string channel);

    [LoggerMessage(Level = LogLevel.Error, Message = "Lost the partner-event notification connection ({ErrorType}: {Error}); reconnecting in {Delay}, subscribers get what was logged meanwhile then")]
    private partial void Lost(string errorType, string error, TimeSpan delay);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Still cannot listen for partner events ({Error}); retrying in {Delay}")]
    private partial void StillLost(string error, TimeSpan delay);

    [LoggerMessage(Level = LogLevel.Information, Message = "Listening for partner events again after {Downtime}")]
    private partial void Reconnected(TimeSpan downtime);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not read the partner-event log ({ErrorType}: {Error}); reading again at the next notification or poll")]
    private partial void ReadFailed(string errorType, string error);
}

/// <summary>The subscriber's queue overflowed: it reads slower than events arrive.</summary>
public sealed class SubscriberTooSlowException : ExecutionError
{
    public const string ErrorCode = "SUBSCRIBER_TOO_SLOW";

    public SubscriberTooSlowException()
        : base("Events arrived faster than this subscription read them; it was ended so that others do not wait. Subscribe again with `after` set to the cursor of the last event you received.")
        => Code = ErrorCode;
}

/// <summary>This replica is stopping: the client reconnects (to another replica) and resumes from its last cursor.</summary>
public sealed class ServerGoingAwayException : ExecutionError
{
    public const string ErrorCode = "SERVER_SHUTTING_DOWN";

    public ServerGoingAwayException()
        : base("The server is shutting down: reconnect and resume with `after` set to the cursor of the last event you received.")
        => Code = ErrorCode;
}
