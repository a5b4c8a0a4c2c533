using Npgsql;

namespace Imail.Worker;

/// <summary>
/// Holds one connection on <c>LISTEN {channel}</c> for as long as the host runs, and reconnects by itself when it
/// drops (PostgreSQL restarted: R3), waiting 1 s, then twice as long each time, up to 30 s. What a notification
/// means, and what to do once listening again (read what was committed meanwhile), is the caller's.
/// Shared by the relay's wake-up (<see cref="Relay.OutboxListener"/>) and the API's partner-event backplane.
/// </summary>
public static class NotificationListener
{
    private static readonly TimeSpan MaxReconnectDelay = TimeSpan.FromSeconds(30);

    /// <param name="connect">A new unpooled connection (keepalive on, so a dead server is noticed while waiting).</param>
    /// <param name="notified">Called on each notification, on the connection's thread: keep it short.</param>
    /// <param name="listening">Called once listening, with how long it was lost (null the first time).</param>
    /// <param name="lost">Called when the connection fails: the error, the wait before the next try, whether it was listening until then.</param>
    public static async Task ListenAsync(Func<NpgsqlConnection> connect, string channel, Action notified,
        Action<TimeSpan?> listening, Action<Exception, TimeSpan, bool> lost, CancellationToken stop)
    {
        var delay = TimeSpan.FromSeconds(1);
        DateTimeOffset? lostAt = null;
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await using var connection = connect();
                connection.Notification += (_, _) => notified();
                await connection.OpenAsync(stop);
                await using (var listen = new NpgsqlCommand($"LISTEN {channel}", connection))
                    await listen.ExecuteNonQueryAsync(stop);
                listening(DateTimeOffset.UtcNow - lostAt);
                lostAt = null;
                delay = TimeSpan.FromSeconds(1);
                while (true) await connection.WaitAsync(stop);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                lost(e, delay, lostAt is null);
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
}
