using GraphQL;
using GraphQL.Types;
using Imail.Api.Auth;
using Imail.Api.Schema;
using Imail.Api.Users;
using Imail.Domain.Outbox;
using Imail.Domain.Persistence;
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
                var first = Paging.First(ctx);
                var after = Paging.DecodeCursor(ctx) is { } cursor
                    ? Guid.TryParse(cursor, out var id) ? id : throw new ExecutionError("'after' is not an outbox cursor.") { Code = "INVALID_CURSOR" }
                    : (Guid?)null;
                var state = ctx.GetArgument<OutboxState?>("state");
                var kind = ctx.GetArgument<string?>("kind");
                var factory = ctx.RequestServices!.GetRequiredService<IDbContextFactory<ImailDbContext>>();

                IQueryable<OutboxMessage> Filtered(ImailDbContext db)
                {
                    var messages = db.OutboxMessages.AsNoTracking();
                    if (state is { } s) messages = messages.Where(m => m.State == s);
                    if (kind is not null) messages = messages.Where(m => m.Kind == kind);
                    return messages;
                }

                await using var db = await ctx.Db();
                var page = Filtered(db);
                if (after is { } a) page = page.Where(m => m.Id > a);
                var rows = await page.OrderBy(m => m.Id).Take(first + 1).ToListAsync(ctx.CancellationToken);
                return new Page<OutboxMessage>(rows.Take(first).ToList(), m => Paging.EncodeCursor(m.Id.ToString()),
                    rows.Count > first, after is not null,
                    async ct =>
                    {
                        await using var countDb = await factory.CreateDbContextAsync(ct);
                        return await Filtered(countDb).CountAsync(ct);
                    });
            });
}
