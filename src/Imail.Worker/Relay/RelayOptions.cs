namespace Imail.Worker.Relay;

/// <summary>How the outbox relay claims, retries and wakes up (<c>Imail:Relay</c>).</summary>
public sealed class RelayOptions
{
    public const string Section = "Imail:Relay";

    /// <summary>Messages claimed by one statement; a full batch is followed at once by the next claim.</summary>
    public int BatchSize { get; set; } = 100;

    /// <summary>
    /// How long a claim is held. Past it, another relay takes the messages over (a crashed worker's
    /// messages wait this long). A relay starts no new delivery once half of it has gone by.
    /// </summary>
    public TimeSpan Lease { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>The safety net under NOTIFY: look for due messages at least this often.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Attempts before a message that keeps failing transiently becomes a dead letter.</summary>
    public int MaxAttempts { get; set; } = 15;

    /// <summary>Wait after the first failed attempt; doubled after each further one, up to <see cref="BackoffMax"/>.</summary>
    public TimeSpan BackoffBase { get; set; } = TimeSpan.FromSeconds(5);

    public TimeSpan BackoffMax { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Each wait is spread by ± this fraction, so messages that failed together do not retry together.</summary>
    public double Jitter { get; set; } = 0.2;

    /// <summary>
    /// Relay loops in this process, each with its own claims and its own SMTP connection: while
    /// one waits on SMTP or PostgreSQL, another composes and sends.
    /// </summary>
    public int Parallelism { get; set; } = 4;
}
