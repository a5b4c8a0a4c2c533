using Imail.Domain.Outbox;

namespace Imail.Worker.Relay;

/// <summary>
/// Holds one connection on <c>LISTEN imail_outbox</c> and wakes the relay loops when a
/// transaction that wrote outbox rows commits. If the connection drops (PostgreSQL restarted),
/// it reconnects by itself; meanwhile the relay's slow poll keeps messages moving.
/// </summary>
public sealed partial class OutboxListener(RelayDatabase database, RelayWakeUp wakeUp, ILogger<OutboxListener> log) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stop) =>
        NotificationListener.ListenAsync(database.CreateListenerConnection, OutboxChannel.Name, wakeUp.Signal,
            listening: downtime =>
            {
                if (downtime is { } d) Reconnected(d);
                else Listening(OutboxChannel.Name);
                // Whatever was committed while nobody listened is due now.
                wakeUp.Signal();
            },
            lost: (e, delay, first) =>
            {
                if (first) Lost(e.GetType().Name, e.Message, delay);
                else StillLost(e.Message, delay);
            },
            stop);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Listening on PostgreSQL channel {Channel} for new outbox messages")]
    private partial void Listening(string channel);

    [LoggerMessage(Level = LogLevel.Error, Message = "Lost the outbox notification connection ({ErrorType}: {Error}); the relay polls meanwhile; reconnecting in {Delay}")]
    private partial void Lost(string errorType, string error, TimeSpan delay);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Still cannot listen for outbox notifications ({Error}); retrying in {Delay}")]
    private partial void StillLost(string error, TimeSpan delay);

    [LoggerMessage(Level = LogLevel.Information, Message = "Listening for outbox notifications again after {Downtime}")]
    private partial void Reconnected(TimeSpan downtime);
}
