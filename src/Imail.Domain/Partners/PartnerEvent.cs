using System.Text.Json;
using System.Text.Json.Serialization;
using Imail.Domain.Common;
using Imail.Domain.Outbox;
using Imail.Domain.Persistence;

namespace Imail.Domain.Partners;

/// <summary>
/// One event of the partners' contract (docs/partners.md), as logged once the relay published it:
/// what subscriptions replay from (<see cref="Sequence"/>) and webhooks deliver. Holds no personal data.
/// </summary>
public sealed class PartnerEvent
{
    private PartnerEvent() { }

    /// <summary>Commit order of the log: events are logged one writer at a time, so a reader that saw N missed nothing below N.</summary>
    public long Sequence { get; private set; }

    /// <summary>The event's id, the same in every delivery (subscription, webhook <c>webhook-id</c>): receivers de-duplicate on it.</summary>
    public Guid Id { get; private set; }

    /// <summary>E.g. <c>policyVersionPublished</c>.</summary>
    public string Type { get; private set; } = "";

    /// <summary>The whole envelope as partners receive it (<see cref="PartnerEventEnvelope{T}"/>), JSON.</summary>
    public string Body { get; private set; } = "{}";

    public DateTimeOffset OccurredAt { get; private set; }

    /// <summary>When the relay logged it (and notified the API replicas).</summary>
    public DateTimeOffset LoggedAt { get; private set; }
}

/// <summary>
/// What every partner event looks like on the wire, whatever carries it (subscription, webhook):
/// the Standard Webhooks payload shape (<c>type</c>, <c>timestamp</c>, <c>data</c>) with the event's id and the contract version.
/// </summary>
public sealed record PartnerEventEnvelope<T>(Guid Id, string Type, int ContractVersion, DateTimeOffset Timestamp, T Data);

/// <summary>The contract's event types and how a change enqueues one.</summary>
public static class PartnerEvents
{
    /// <summary>Outbox kind prefix: <c>event.{type}</c>. The worker's partner-event sender logs and fans them out.</summary>
    public const string KindPrefix = "event.";

    /// <summary>Bumped only for a change that breaks receivers; additions keep it.</summary>
    public const int ContractVersion = 1;

    /// <summary>The PostgreSQL channel the relay notifies (payload: the newest sequence) when it logged events.</summary>
    public const string Channel = "imail_partner_events";

    public const string PolicyVersionPublished = "policyVersionPublished";
    public const string PolicyVersionTakesEffect = "policyVersionTakesEffect";
    public const string IncidentDeclared = "incidentDeclared";

    /// <summary>Serialized as partners read it: camelCase, enums as names, UTC timestamps.</summary>
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>
    /// Adds the event to the unit of work, in the transaction of the change it reports: a rolled-back change
    /// tells partners nothing; a committed one reaches them at least once.
    /// </summary>
    public static OutboxMessage EnqueuePartnerEvent<T>(this ImailDbContext db, string type, T data, DateTimeOffset now)
    {
        var id = Ids.New(now);
        var envelope = new PartnerEventEnvelope<T>(id, type, ContractVersion, now.ToUniversalTime(), data);
        // Ahead of the e-mails the same change enqueues by the thousand: partners follow changes live.
        var message = OutboxMessage.CreateRaw(id, KindPrefix + type, JsonSerializer.Serialize(envelope, Json), null, now, ahead: TimeSpan.FromMinutes(1));
        db.OutboxMessages.Add(message);
        return message;
    }
}

/// <summary><c>Imail:Partners</c>: what the API and the worker share about partner events.</summary>
public sealed class PartnerEventOptions
{
    public const string Section = "Imail:Partners";

    /// <summary>How long the event log keeps an event: a subscriber can resume, and a partner replay webhooks, within it.</summary>
    public TimeSpan EventRetention { get; set; } = TimeSpan.FromDays(30);
}
