using GraphQL;
using GraphQL.Types;
using Imail.Api.Auth;
using Imail.Api.GraphQL;
using Imail.Api.Users;
using Imail.Domain.Outbox;
using Microsoft.EntityFrameworkCore;

namespace Imail.Api.Outbox;

public sealed record RequeueOutboxMessageInput(Guid Id);

public sealed class OutboxMutations(TimeProvider clock) : IMutationFields
{
    public void AddTo(MutationType mutation) =>
        mutation.Field<NonNullGraphType<RequeueOutboxMessagePayloadType>>("requeueOutboxMessage")
            .Description("Puts a dead message back in line with a fresh set of attempts (staff); the relay sends it within moments. Errors: `MESSAGE_NOT_FOUND`, `NOT_DEAD`.")
            .Argument<NonNullGraphType<RequeueOutboxMessageInputType>>("input")
            .Allow(Roles.Staff)
            .ResolveAsync(async ctx => await Payload.Attempt(async () =>
            {
                var input = ctx.GetArgument<RequeueOutboxMessageInput>("input");
                await using var db = await ctx.Db();
                var message = await db.OutboxMessages.FirstOrDefaultAsync(m => m.Id == input.Id, ctx.CancellationToken);
                if (message is null)
                    return Payload<OutboxMessage>.Fail(new NotFoundError("MESSAGE_NOT_FOUND", $"There is no outbox message {input.Id}."));
                message.Requeue(clock);
                await db.SaveChangesAsync(ctx.CancellationToken);
                return Payload<OutboxMessage>.Ok(message);
            }));
}

public sealed class RequeueOutboxMessageInputType : InputObjectGraphType<RequeueOutboxMessageInput>
{
    public RequeueOutboxMessageInputType()
    {
        Name = "RequeueOutboxMessageInput";
        Field(i => i.Id, type: typeof(NonNullGraphType<IdGraphType>)).Description("The dead message to send again.");
    }
}

public sealed class RequeueOutboxMessagePayloadType()
    : PayloadType<OutboxMessage, OutboxMessageType>("RequeueOutboxMessagePayload", "outboxMessage", "The message, pending again.");
