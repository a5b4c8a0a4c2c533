using Imail.Domain.DataCategories;
using Imail.Domain.Partners;
using Imail.Worker.Schedules;
using Microsoft.Extensions.Options;
using Quartz;

namespace Imail.Worker.Purge;

/// <summary><c>Imail:Outbox</c>, as far as the clean-up is concerned.</summary>
public sealed class OutboxCleanupOptions
{
    public const string Section = "Imail:Outbox";

    /// <summary>How long a delivered message keeps its payload (address, name, template values).</summary>
    public TimeSpan PurgePayloadAfter { get; set; } = TimeSpan.FromDays(1);
}

/// <summary>
/// P7 for the outbox. Delivered messages, and those the relay discarded unsent, are deleted once older than
/// the <c>delivery_logs</c> retention; delivered ones lose the personal part of their payload after
/// <see cref="OutboxCleanupOptions.PurgePayloadAfter"/>. Pending messages are not touched, nor are dead ones
/// (staff must still see and requeue them), except a dead message to be forgotten on delivery, whose payload
/// goes after the same delay (P8). Last, the partner-event log keeps events <see cref="PartnerEventOptions.EventRetention"/>
/// (what subscribers can resume from): older ones are deleted, oldest first.
/// </summary>
[DisallowConcurrentExecution]
public sealed class OutboxCleanupJob(PurgeServices services, IOptions<OutboxCleanupOptions> outbox, IOptions<PartnerEventOptions> events) : RetentionPurge(services)
{
    protected override string Category => DataCategoryCodes.DeliveryLogs;

    protected override IEnumerable<PurgeStep> Steps(RetentionLimit limit)
    {
        // Deleting first: no point emptying payloads of rows about to go.
        yield return PurgeStep.Delete("delivered messages", limit.Why("delivered before"),
            "outbox_messages", $"state = 'Delivered' AND delivered_at < {limit.Before}", orderBy: "delivered_at");

        // The partial index ix_outbox_messages_payload_unpurged keeps this from walking the rows already emptied.
        // A webhook delivery's payload (kind WebhookDeliveries.Kind, written out: a constant, not a parameter) is two ids and a
        // type, nothing personal, and what webhookDeliveries lists it by: kept.
        var after = outbox.Value.PurgePayloadAfter;
        var before = limit.Now - after;
        yield return new PurgeStep("payloads", $"delivered before {before:u}, {OutboxCleanupOptions.Section}:PurgePayloadAfter {after}", batch => $$"""
            UPDATE outbox_messages SET payload = '{}'::jsonb, payload_purged_at = {{limit.Now}}
            WHERE id = ANY(ARRAY(
              SELECT id FROM outbox_messages
              WHERE state = 'Delivered' AND payload_purged_at IS NULL AND delivered_at < {{before}} AND kind <> 'webhook'
              ORDER BY delivered_at LIMIT {{batch}}
              FOR UPDATE SKIP LOCKED))
            """) { Done = "emptied" };

        // Discarded unsent by the relay (pointless by then); the discard emptied the payload and dated it.
        yield return PurgeStep.Delete("discarded messages", limit.Why("discarded before"),
            "outbox_messages", $"state = 'Discarded' AND payload_purged_at < {limit.Before}", orderBy: "payload_purged_at");

        // A dead message to be forgotten on delivery (the erasure confirmation, the one trace of an erased person)
        // does not keep the address for staff to requeue: past the same delay, it is emptied unsent.
        yield return new PurgeStep("payloads of dead messages to forget", $"dead before {before:u}, {OutboxCleanupOptions.Section}:PurgePayloadAfter {after}", batch => $$"""
            UPDATE outbox_messages SET payload = '{}'::jsonb, payload_purged_at = {{limit.Now}}
            WHERE id = ANY(ARRAY(
              SELECT id FROM outbox_messages
              WHERE state = 'Dead' AND erase_payload_on_delivery AND payload_purged_at IS NULL AND dead_at < {{before}}
              ORDER BY dead_at LIMIT {{batch}}
              FOR UPDATE SKIP LOCKED))
            """) { Done = "emptied" };

        // The partner-event log (not personal data: its retention is the subscribers' resume window, not the registry's).
        // Only ever inserted, never locked by its readers; read through ix_partner_events_logged_at.
        var keep = events.Value.EventRetention;
        var loggedBefore = limit.Now - keep;
        yield return PurgeStep.Delete("partner events", $"logged before {loggedBefore:u}, {PartnerEventOptions.Section}:EventRetention {keep}",
            "partner_events", $"logged_at < {loggedBefore}", orderBy: "logged_at", lockRows: false);
    }
}
