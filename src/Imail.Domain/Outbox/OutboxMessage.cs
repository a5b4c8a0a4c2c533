using System.Text.Json;
using Imail.Domain.Common;

namespace Imail.Domain.Outbox;

public enum OutboxState
{
    /// <summary>Waiting to be sent (or to be retried at <see cref="OutboxMessage.AvailableAt"/>).</summary>
    Pending,

    /// <summary>Accepted by the receiving server.</summary>
    Delivered,

    /// <summary>Refused for good (5xx) or out of retries: waits for staff to requeue it.</summary>
    Dead,

    /// <summary>Not sent: it was claimed after its <see cref="OutboxMessage.DiscardAfter"/> (a worker was down meanwhile).</summary>
    Discarded,
}

/// <summary>
/// A message a mutation owes someone, written in the same transaction as the change that
/// causes it; the worker's relay delivers it at least once. The payload holds what delivery
/// needs and no more, and loses its personal part once delivered (P7/P8).
/// </summary>
public sealed class OutboxMessage
{
    private OutboxMessage() { }

    public Guid Id { get; private set; }

    /// <summary>What to deliver, e.g. <c>email.sign-up-confirmation</c>; the relay picks a sender by its prefix.</summary>
    public string Kind { get; private set; } = "";

    /// <summary>JSON: what delivery needs (recipient, locale, template values).</summary>
    public string Payload { get; private set; } = "{}";

    /// <summary>The person the message is about, so erasure (P8) can find it.</summary>
    public Guid? UserId { get; private set; }

    public OutboxState State { get; private set; }
    public DateTimeOffset CreatedAt { get; private set; }
    public DateTimeOffset AvailableAt { get; private set; }
    public int Attempts { get; private set; }
    public string? LastError { get; private set; }
    public DateTimeOffset? DeliveredAt { get; private set; }
    public DateTimeOffset? DeadAt { get; private set; }

    /// <summary>A relay holds the message until then; past it, another relay may take it over.</summary>
    public DateTimeOffset? LeasedUntil { get; private set; }

    /// <summary>The payload is emptied the moment the message is delivered (the erasure confirmation: the only trace of an erased person).</summary>
    public bool ErasePayloadOnDelivery { get; private set; }

    /// <summary>Past this, the message would come too late to mean anything (a code that expired, a deadline gone): the relay discards it unsent and counts it.</summary>
    public DateTimeOffset? DiscardAfter { get; private set; }

    /// <summary>Sets <see cref="DiscardAfter"/>: the message is pointless after <paramref name="at"/>.</summary>
    public OutboxMessage PointlessAfter(DateTimeOffset at)
    {
        DiscardAfter = at;
        return this;
    }

    /// <summary>Sets <see cref="ErasePayloadOnDelivery"/>.</summary>
    public OutboxMessage ForgottenOnDelivery()
    {
        ErasePayloadOnDelivery = true;
        return this;
    }

    /// <summary>When the personal part of the payload was removed after delivery.</summary>
    public DateTimeOffset? PayloadPurgedAt { get; private set; }

    public static OutboxMessage Create<T>(string kind, T payload, Guid? userId, DateTimeOffset now)
    {
        return new OutboxMessage
        {
            Id = Ids.New(now),
            Kind = kind,
            Payload = JsonSerializer.Serialize(payload, OutboxJson.Options),
            UserId = userId,
            State = OutboxState.Pending,
            CreatedAt = now,
            AvailableAt = now,
        };
    }

    /// <summary>A message whose payload is already JSON and whose id the caller chose (a partner event keeps its id from outbox to receiver).</summary>
    /// <param name="ahead">
    /// Makes it due this much before <paramref name="now"/>: the relay claims the oldest due first, so the message
    /// leaves before what the same change enqueued in bulk (a policy version's announcements to every user).
    /// </param>
    public static OutboxMessage CreateRaw(Guid id, string kind, string payloadJson, Guid? userId, DateTimeOffset now, TimeSpan ahead = default) => new()
    {
        Id = id,
        Kind = kind,
        Payload = payloadJson,
        UserId = userId,
        State = OutboxState.Pending,
        CreatedAt = now,
        AvailableAt = now - ahead,
    };

    /// <summary>Staff put a dead message back in line; it gets a fresh set of attempts.</summary>
    public void Requeue(DateTimeOffset now)
    {
        Rule.Check(State == OutboxState.Dead, "NOT_DEAD",
            $"Only dead messages can be requeued; this one is {State.ToString().ToLowerInvariant()}.");
        State = OutboxState.Pending;
        Attempts = 0;
        AvailableAt = now;
        DeadAt = null;
        LeasedUntil = null;
    }
}

public static class OutboxJson
{
    // Enums as names: reordering an enum must not change the language of e-mails still waiting (numbers already stored still read).
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web) { Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() } };
}
