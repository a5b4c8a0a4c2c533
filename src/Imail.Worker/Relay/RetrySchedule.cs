namespace Imail.Worker.Relay;

/// <summary>Exponential backoff with jitter: attempt n waits base·2^(n-1), capped, spread by ± jitter.</summary>
public static class RetrySchedule
{
    /// <param name="failedAttempt">The attempt that just failed, from 1.</param>
    /// <param name="random">A number in [0, 1): where in the jitter band this wait falls.</param>
    public static TimeSpan Delay(RelayOptions options, int failedAttempt, double random)
    {
        var exponent = Math.Clamp(failedAttempt - 1, 0, 30);
        var nominal = Math.Min(options.BackoffBase.TotalMilliseconds * Math.Pow(2, exponent), options.BackoffMax.TotalMilliseconds);
        var spread = 1 + options.Jitter * (2 * random - 1);
        return TimeSpan.FromMilliseconds(nominal * spread);
    }

    /// <summary>The nominal waits (no jitter) after attempts 1 … MaxAttempts-1: what docs/outbox.md tabulates.</summary>
    public static IEnumerable<TimeSpan> Nominal(RelayOptions options) =>
        Enumerable.Range(1, Math.Max(0, options.MaxAttempts - 1)).Select(n => Delay(options, n, 0.5));
}
