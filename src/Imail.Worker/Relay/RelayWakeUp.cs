namespace Imail.Worker.Relay;

/// <summary>
/// Wakes every relay loop of this process: raised by the NOTIFY listener. A loop notes
/// <see cref="Version"/> before it claims, so a notification that arrives while it is busy
/// makes it look again instead of being lost.
/// </summary>
public sealed class RelayWakeUp
{
    private TaskCompletionSource _next = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _version;

    public long Version => Interlocked.Read(ref _version);

    public void Signal()
    {
        Interlocked.Increment(ref _version);
        Interlocked.Exchange(ref _next, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
    }

    /// <summary>Returns at the first signal after <paramref name="seenVersion"/>, or when <paramref name="timeout"/> has passed on <paramref name="clock"/>.</summary>
    public async Task WaitAsync(long seenVersion, TimeSpan timeout, TimeProvider clock, CancellationToken ct)
    {
        var next = Volatile.Read(ref _next);
        if (Version != seenVersion || timeout <= TimeSpan.Zero) return;
        try
        {
            await next.Task.WaitAsync(timeout, clock, ct);
        }
        catch (TimeoutException)
        {
        }
    }
}
