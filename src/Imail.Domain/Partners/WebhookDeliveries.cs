using System.Text.Json;
using Imail.Domain.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Imail.Domain.Partners;

/// <summary>What an outbox row of kind <see cref="WebhookDeliveries.Kind"/> carries: ids only, nothing personal.</summary>
public sealed record WebhookDelivery(Guid EndpointId, Guid EventId, string? EventType)
{
    public static WebhookDelivery? TryParse(string payload)
    {
        try
        {
            return JsonSerializer.Deserialize<WebhookDelivery>(payload, JsonSerializerOptions.Web) is { EndpointId: var e, EventId: var v } d
                   && e != Guid.Empty && v != Guid.Empty ? d : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

/// <summary>
/// How deliveries are owed: one outbox row per (event, endpoint), written set-based, in the transaction that
/// logs the events (fan-out) or the one a partner's replay runs in. The receiver's <c>webhook-id</c> is always the
/// event's id, so however often an event is delivered, receivers de-duplicate it.
/// </summary>
public static class WebhookDeliveries
{
    /// <summary>The outbox kind; the worker's webhook sender delivers it.</summary>
    public const string Kind = "webhook";

    // A delivery's outbox id keeps the UUIDv7 layout (outbox lists and claims read ids as creation order): 48 bits
    // of time (the event's own for a fan-out, the replay's for a replay), version 7, variant 10, and the rest from
    // md5 of the event, the endpoint and that time, so the same delivery written twice is one row (ON CONFLICT).
    private const string DeliveryId = """
        (left(replace(h.prefix::text, '-', ''), 12) || '7' || substr(h.md5, 1, 3) || '8' || substr(h.md5, 4, 15))::uuid
        """;

    private const string Insert = $"""
        INSERT INTO outbox_messages (id, kind, payload, state, created_at, available_at, attempts)
        SELECT {DeliveryId}, '{Kind}',
               jsonb_build_object('endpointId', w.id, 'eventId', e.id, 'eventType', e.type), 'Pending', @now, @now, 0
        """;

    /// <summary>
    /// The fan-out (worker): every logged event × every active endpoint whose filter takes its type.
    /// Parameters: <c>@event_ids uuid[]</c>, <c>@now timestamptz</c>.
    /// </summary>
    public const string FanOutSql = $"""
        {Insert}
        FROM unnest(@event_ids::uuid[]) AS i(id)
        JOIN partner_events AS e ON e.id = i.id
        JOIN webhook_endpoints AS w ON w.disabled_at IS NULL AND (cardinality(w.event_types) = 0 OR e.type = ANY(w.event_types))
        CROSS JOIN LATERAL (SELECT e.id AS prefix, md5(e.id::text || w.id::text) AS md5) AS h
        ON CONFLICT (id) DO NOTHING
        """;

    /// <summary>
    /// A replay (API): the events logged since <c>@since</c> that the endpoint's filter takes, each a new delivery
    /// (a new outbox row, the same <c>webhook-id</c>). Parameters: <c>@endpoint_id</c>, <c>@since</c>, <c>@now</c>,
    /// <c>@prefix uuid</c> (any UUIDv7 of now: its time becomes the rows').
    /// </summary>
    public const string ReplaySql = $"""
        {Insert}
        FROM webhook_endpoints AS w
        JOIN partner_events AS e ON e.logged_at >= @since AND (cardinality(w.event_types) = 0 OR e.type = ANY(w.event_types))
        CROSS JOIN LATERAL (SELECT @prefix::uuid AS prefix, md5(e.id::text || w.id::text || @prefix::text) AS md5) AS h
        WHERE w.id = @endpoint_id
        ON CONFLICT (id) DO NOTHING
        """;

    /// <summary>Enqueues a replay in the caller's transaction; returns how many deliveries it owes.</summary>
    public static Task<int> ReplayAsync(this ImailDbContext db, WebhookEndpoint endpoint, DateTimeOffset since, DateTimeOffset now, CancellationToken ct) =>
        db.Database.ExecuteSqlRawAsync(ReplaySql,
            [
                new Npgsql.NpgsqlParameter<Guid>("endpoint_id", endpoint.Id),
                new Npgsql.NpgsqlParameter<DateTimeOffset>("since", since),
                new Npgsql.NpgsqlParameter<DateTimeOffset>("now", now),
                new Npgsql.NpgsqlParameter<Guid>("prefix", Common.Ids.New(now)),
            ], ct);
}
