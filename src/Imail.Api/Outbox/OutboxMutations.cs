using GraphQL.Types;
using Imail.Api.Auth;
using Imail.Api.GraphQL;
using Imail.Domain.Common;
using Imail.Domain.Outbox;
using Microsoft.EntityFrameworkCore;

namespace Imail.Api.Outbox;

public sealed record RequeueOutboxMessageInput(Guid Id);

public sealed class OutboxMutations(TimeProvider clock) : IMutationFields
{
    private readonly PayloadGraph<OutboxMessage> _payload =
        PayloadGraph<OutboxMessage>.Of<OutboxMessageType>("RequeueOutboxMessagePayload", "outboxMessage", "The message, pending again.");

    public void AddTo(MutationType mutation) =>
        mutation.Mutation<RequeueOutboxMessageInputType, RequeueOutboxMessageInput, OutboxMessage>("requeueOutboxMessage", _payload,
            "Puts a dead message back in line with a fresh set of attempts (staff); the relay sends it within moments.", ["MESSAGE_NOT_FOUND", "NOT_DEAD"],
            async m =>
            {
                var db = await m.DbAsync();
                var message = Rule.Found(await db.OutboxMessages.FirstOrDefaultAsync(o => o.Id == m.Input.Id, m.Cancellation),
                    "MESSAGE_NOT_FOUND", $"There is no outbox message {m.Input.Id}.");
                message.Requeue(clock.GetUtcNow());
                await db.SaveChangesAsync(m.Cancellation);
                return message;
            })
            .Allow(Roles.Staff);
}

public sealed class RequeueOutboxMessageInputType : InputObjectGraphType<RequeueOutboxMessageInput>
{
    public RequeueOutboxMessageInputType()
    {
        Name = "RequeueOutboxMessageInput";
        Field(i => i.Id, type: typeof(NonNullGraphType<IdGraphType>)).Description("The dead message to send again.");
    }
}
