using GraphQL.Types;
using Imail.Api.Auth;

namespace Imail.Api.Partners;

/// <summary>One event of the partners' log, as a subscription delivers it.</summary>
public sealed record PartnerEventMessage(long Sequence, Guid Id, string Type, int ContractVersion, DateTimeOffset Timestamp, string Body)
{
    public string Cursor => PartnerEventCursor.Of(Sequence);
}

public sealed class PartnerEventType : ObjectGraphType<PartnerEventMessage>
{
    public PartnerEventType()
    {
        Name = "PartnerEvent";
        Description = "One event of the partners' contract (docs/partners.md), as its webhook delivers it; generic: `type` says which, `body` holds it all.";
        Field<NonNullGraphType<IdGraphType>>("id").Description("The event's id, the same in every delivery (subscription, webhook `webhook-id`): de-duplicate on it.").Resolve(ctx => ctx.Source.Id);
        Field(e => e.Cursor).Description("Where this event sits in the log: pass it back as `after` to resume right after it. Opaque.");
        Field(e => e.Type).Description("The event type, e.g. `policyVersionPublished`.");
        Field(e => e.ContractVersion).Description("The version of the event contract the body follows; bumped only for a change that breaks receivers.");
        Field<NonNullGraphType<DateTimeOffsetGraphType>>("timestamp").Description("When the change the event reports happened (UTC).").Resolve(ctx => ctx.Source.Timestamp);
        Field(e => e.Body).Description("The whole envelope as JSON (`id`, `type`, `contractVersion`, `timestamp`, `data`), exactly what the webhook delivers.");
        this.Allow(Roles.Partner, Roles.Staff);
    }
}
