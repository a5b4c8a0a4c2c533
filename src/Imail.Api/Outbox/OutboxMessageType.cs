using GraphQL.Types;
using Imail.Api.Auth;
using Imail.Domain.Outbox;

namespace Imail.Api.Outbox;

public sealed class OutboxMessageType : ObjectGraphType<OutboxMessage>
{
    public OutboxMessageType()
    {
        Name = "OutboxMessage";
        Description = "A message Imail owes someone (today: an e-mail), as the relay sees it. Staff only.";
        Field(m => m.Id, type: typeof(NonNullGraphType<IdGraphType>)).Description("Stable id; e-mails carry it in their Message-ID.");
        Field(m => m.Kind).Description("What is delivered, e.g. `email.sign-up-confirmation`.");
        Field(m => m.State, type: typeof(NonNullGraphType<OutboxStateType>)).Description("Pending, delivered or dead.");
        Field(m => m.CreatedAt).Description("When the mutation that owes it committed.");
        Field(m => m.AvailableAt).Description("When it is (or was) next due: later than `createdAt` while waiting for a retry.");
        Field(m => m.Attempts).Description("Delivery attempts so far.");
        Field(m => m.LastError, nullable: true).Description("Why the last attempt failed.");
        Field(m => m.DeliveredAt, nullable: true).Description("When the receiving server accepted it.");
        Field(m => m.DeadAt, nullable: true).Description("When it was given up on (refused for good, or out of retries).");
        Field(m => m.PayloadPurgedAt, nullable: true).Description("When the personal part of the payload was removed after delivery (P7).");
        Field(m => m.Payload).Description("What delivery needs, as JSON (`{}` once purged).");
        this.Allow(Roles.Staff);
    }
}

public sealed class OutboxStateType() : EnumType<OutboxState>("OutboxState", "Where an outbox message stands.");

public sealed class OutboxMessageConnectionType() : ConnectionType<OutboxMessageType, OutboxMessage>("OutboxMessage");
