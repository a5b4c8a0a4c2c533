using GraphQL;
using GraphQL.Types;
using Imail.Api.Auth;
using Imail.Api.GraphQL;
using Imail.Domain.Outbox;
using Microsoft.EntityFrameworkCore;

namespace Imail.Api.Outbox;

public sealed class OutboxQueries : IQueryFields
{
    public void AddTo(QueryType query) =>
        query.Field<NonNullGraphType<OutboxMessageConnectionType>>("outboxMessages")
            .Description("Outbox messages, oldest first, optionally in one state (staff): how operators find dead letters.")
            .Arguments(Paging.Arguments(
                new QueryArgument<OutboxStateType> { Name = "state", Description = "Only messages in this state." },
                new QueryArgument<StringGraphType> { Name = "kind", Description = "Only messages of this kind." }))
            .Allow(Roles.Staff)
            .ResolveAsync(async ctx =>
            {
                var state = ctx.GetArgument<OutboxState?>("state");
                var kind = ctx.GetArgument<string?>("kind");
                return await KeysetPaging.ByIdAsync(ctx, db =>
                {
                    var messages = db.OutboxMessages.AsNoTracking();
                    if (state is { } s) messages = messages.Where(m => m.State == s);
                    if (kind is not null) messages = messages.Where(m => m.Kind == kind);
                    return messages;
                }, m => m.Id);
            });
}
