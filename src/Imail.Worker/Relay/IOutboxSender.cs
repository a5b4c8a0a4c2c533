namespace Imail.Worker.Relay;

/// <summary>
/// Delivers one family of outbox messages (e-mails, partner events, webhooks), chosen by the
/// message's kind prefix. Senders are singletons used by several relay loops at once.
/// </summary>
public interface IOutboxSender
{
    bool CanSend(string kind);

    /// <summary>
    /// Delivers the messages in order and returns one result per message, in the same order.
    /// Cancellation means "start no new delivery": the messages not started are
    /// <see cref="DeliveryResult.NotAttempted"/>, and the one in flight finishes. Never throws for
    /// a delivery problem: that is a result.
    /// </summary>
    Task<DeliveryResult[]> SendAsync(IReadOnlyList<OutboxEnvelope> messages, CancellationToken ct);
}

/// <summary>A claimed outbox row, as the relay hands it to a sender.</summary>
/// <param name="Attempt">This delivery attempt's number, from 1.</param>
/// <param name="DiscardAfter">Past this, the message is pointless: the relay discards it instead of handing it to a sender.</param>
public sealed record OutboxEnvelope(Guid Id, string Kind, string Payload, int Attempt, DateTimeOffset CreatedAt, DateTimeOffset? DiscardAfter = null)
{
    /// <summary>Whether it would arrive too late to mean anything (a worker was down, retries took too long).</summary>
    public bool IsPointlessAt(DateTimeOffset now) => DiscardAfter < now;
}

public enum DeliveryOutcome
{
    /// <summary>The receiver accepted it.</summary>
    Delivered,

    /// <summary>Worth trying again later: 4xx, timeouts, refused or dropped connections.</summary>
    Transient,

    /// <summary>Refused for good (5xx, a payload that cannot be delivered): dead letter.</summary>
    Permanent,

    /// <summary>Not tried (shutting down, or the lease was running out): back in line, the attempt not counted.</summary>
    NotAttempted,
}

public readonly record struct DeliveryResult(DeliveryOutcome Outcome, string? Error = null)
{
    public static readonly DeliveryResult Delivered = new(DeliveryOutcome.Delivered);
    public static readonly DeliveryResult NotAttempted = new(DeliveryOutcome.NotAttempted);
    public static DeliveryResult Transient(string error) => new(DeliveryOutcome.Transient, error);
    public static DeliveryResult Permanent(string error) => new(DeliveryOutcome.Permanent, error);
}
