namespace Imail.Api.GraphQL;

/// <summary><c>Imail:Subscriptions</c>: the streaming transports (WebSocket, SSE) and the event backplane behind them.</summary>
public sealed class SubscriptionOptions
{
    public const string Section = "Imail:Subscriptions";

    /// <summary>How long a WebSocket may stay open without <c>connection_init</c> (closed 4408 after it).</summary>
    public TimeSpan ConnectionInitTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How often an idle stream shows it is alive: a <c>ping</c> on a WebSocket, a comment line on SSE.
    /// Under the idle timeouts of common proxies and load balancers (30–60 s).
    /// </summary>
    public TimeSpan KeepAliveInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// Messages one operation may have waiting for a client that reads slower than events arrive. Past it
    /// the operation ends with <c>SUBSCRIBER_TOO_SLOW</c>; the client resumes from its last cursor. Other
    /// operations and other clients never wait for it.
    /// </summary>
    public int MaxPendingMessages { get; set; } = 1_000;

    /// <summary>Events the backplane reads from the log per statement (live fan-out, replay from a cursor).</summary>
    public int ReadBatchSize { get; set; } = 500;

    /// <summary>The safety net under NOTIFY: the backplane also reads the log this often.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(30);
}
