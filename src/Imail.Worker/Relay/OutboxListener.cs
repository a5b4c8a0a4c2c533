using Imail.Domain.Outbox;
using Npgsql;

namespace Imail.Worker.Relay;

/// <summary>
/// Holds one connection on <c>LISTEN imail_outbox</c> and wakes the relay loops when a
/// transaction that wrote outbox rows commits. If the connection drops (PostgreSQL restarted),
/// it reconnects by itself; meanwhile the relay's slow poll keeps messages moving.
/// </summary>
public sealed partial class OutboxListener(RelayDatabase database, RelayWakeUp wakeUp, ILogger<OutboxListener> log) : BackgroundService
{
    private static readonly TimeSpan MaxReconnectDelay = TimeSpan.FromSeconds(30);

    protected override async Task ExecuteAsync(CancellationToken stop)
    {
        var delay = TimeSpan.FromSeconds(1);
        DateTimeOffset? lostAt = null;
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await using var connection = database.CreateListenerConnection();
                connection.Notification += (_, _) => wakeUp.Signal();
                await connection.OpenAsync(stop);
                await using (var listen = new NpgsqlCommand($"LISTEN {OutboxChannel.Name}", connection))
                    await listen.ExecuteNonQueryAsync(stop);
                if (lostAt is { } since) Reconnected(DateTimeOffset.UtcNow - since);
                else Listening(OutboxChannel.Name);
                lostAt = null;
                delay = TimeSpan.FromSeconds(1);
                // Whatever was committed while nobody listened is due now.
                wakeUp.Signal();
                while (true) await connection.WaitAsync(stop);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                if (lostAt is null) Lost(e.GetType().Name, e.Message, delay);
                else StillLost(e.Message, delay);
                lostAt ??= DateTimeOffset.UtcNow;
                try
                {
                    await Task.Delay(delay, stop);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxReconnectDelay.Ticks));
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Listening on PostgreSQL channel {Channel} for new outbox messages")]
    private partial void Listening(string channel);

    [LoggerMessage(Level = LogLevel.Error, Message = "Lost the outbox notification connection ({ErrorType}: {Error}); the relay polls meanwhile; reconnecting in {Delay}")]
    private partial void Lost(string errorType, string error, TimeSpan delay);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Still cannot listen for outbox notifications ({Error}); retrying in {Delay}")]
    private partial void StillLost(string error, TimeSpan delay);

    [LoggerMessage(Level = LogLevel.Information, Message = "Listening for outbox notifications again after {Downtime}")]
    private partial void Reconnected(TimeSpan downtime);
}
