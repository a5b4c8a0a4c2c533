using GraphQL;
using GraphQL.Types;
using Imail.Api.Auth;
using Imail.Api.Outbox;
using Imail.Domain.Outbox;
using Imail.Domain.Partners;

namespace Imail.Api.Partners;

public sealed class WebhookEndpointType : ObjectGraphType<WebhookEndpoint>
{
    public WebhookEndpointType(TimeProvider clock)
    {
        Name = "WebhookEndpoint";
        Description = "Where a partner's events are POSTed, signed per Standard Webhooks (docs/webhooks.md). Its secret is never returned: it is shown once, by `registerWebhookEndpoint` and `rotateWebhookSecret`.";
        Field(e => e.Id, type: typeof(NonNullGraphType<IdGraphType>)).Description("Stable id.");
        Field(e => e.Partner).Description("The partner it belongs to (its token's subject).");
        Field(e => e.Url).Description("Where deliveries are POSTed.");
        Field(e => e.EventTypes).Description($"The event types it receives; empty for all, those added later included. Known: {string.Join(", ", PartnerEventTypes.All.Select(t => $"`{t}`"))}.");
        Field<NonNullGraphType<BooleanGraphType>>("active").Description("False once disabled: nothing more is delivered to it.").Resolve(ctx => ctx.Source.IsActive);
        Field(e => e.CreatedAt).Description("When it was registered.");
        Field(e => e.UpdatedAt).Description("When it last changed (a rotation, a disabling).");
        Field(e => e.DisabledAt, nullable: true).Description("When it was disabled (the receiver answered 410 Gone).");
        Field(e => e.DisabledReason, nullable: true).Description("Why it was disabled.");
        Field<DateTimeOffsetGraphType>("previousSecretExpiresAt")
            .Description("After a rotation, until when the previous secret still signs alongside the new one (two signatures in `webhook-signature`); null when only the current secret signs.")
            .Resolve(ctx => ctx.Source.PreviousSecretExpiresAt(clock.GetUtcNow()));
        this.Allow(Roles.Partner, Roles.Staff);
    }
}

public sealed class WebhookEndpointConnectionType() : ConnectionType<WebhookEndpointType, WebhookEndpoint>("WebhookEndpoint");

public sealed class WebhookDeliveryType : ObjectGraphType<OutboxMessage>
{
    public WebhookDeliveryType()
    {
        Name = "WebhookDelivery";
        Description = "One delivery of one event to one endpoint, with its attempts. A replay is a new delivery of the same event (same `eventId`, the receiver's `webhook-id`).";
        Field(m => m.Id, type: typeof(NonNullGraphType<IdGraphType>)).Description("The delivery's own id.");
        Field<IdGraphType>("eventId").Description("The event's id: the `webhook-id` header, the same in every delivery of the event.")
            .Resolve(ctx => Delivery(ctx)?.EventId);
        Field<StringGraphType>("eventType").Description("E.g. `policyVersionPublished`.").Resolve(ctx => Delivery(ctx)?.EventType);
        Field(m => m.State, type: typeof(NonNullGraphType<OutboxStateType>)).Description("PENDING (waiting, or waiting for a retry), DELIVERED (a 2xx answer), DEAD (410 Gone, or out of retries).");
        Field(m => m.Attempts).Description("Attempts so far.");
        Field(m => m.LastError, nullable: true).Description("Why the last attempt failed (`HTTP 503 Service Unavailable`, a timeout, a refused connection).");
        Field(m => m.CreatedAt).Description("When the delivery was owed (the event was logged, or replayed).");
        Field<DateTimeOffsetGraphType>("nextAttemptAt").Description("While pending: when the next attempt is due.")
            .Resolve(ctx => ctx.Source.State == OutboxState.Pending ? ctx.Source.AvailableAt : null);
        Field(m => m.DeliveredAt, nullable: true).Description("When the receiver answered 2xx.");
        Field(m => m.DeadAt, nullable: true).Description("When it was given up on.");
        this.Allow(Roles.Partner, Roles.Staff);
    }

    private static WebhookDelivery? Delivery(IResolveFieldContext<OutboxMessage> ctx) => WebhookDelivery.TryParse(ctx.Source.Payload);
}

public sealed class WebhookDeliveryConnectionType() : ConnectionType<WebhookDeliveryType, OutboxMessage>("WebhookDelivery");
