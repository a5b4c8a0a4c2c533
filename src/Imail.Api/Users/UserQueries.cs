using GraphQL;
using GraphQL.Types;
using Imail.Api.Auth;
using Imail.Api.GraphQL;
using Microsoft.EntityFrameworkCore;

namespace Imail.Api.Users;

public sealed class UserQueries : IQueryFields
{
    public void AddTo(QueryType query)
    {
        query.Field<UserType>("me")
            .Description("The signed-in person's own account (role `user`). Null if the account no longer exists.")
            .Allow(Roles.User)
            .ResolveAsync(async ctx =>
            {
                if (CurrentUser.Id(ctx.User) is not { } id) return null;
                await using var db = await ctx.Db();
                return await db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.Id == id, ctx.CancellationToken);
            });

        query.Field<UserType>("user")
            .Description("One account by id (staff).")
            .Arguments(new QueryArgument<NonNullGraphType<IdGraphType>> { Name = "id" })
            .Allow(Roles.Staff)
            .ResolveAsync(async ctx =>
            {
                if (!Guid.TryParse(ctx.GetArgument<string>("id"), out var id)) return null;
                await using var db = await ctx.Db();
                return await db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.Id == id, ctx.CancellationToken);
            });

        query.Field<NonNullGraphType<UserConnectionType>>("users")
            .Description("Accounts, oldest first, filtered (staff).")
            .Arguments(Paging.Arguments(new QueryArgument<UserFilterInputType> { Name = "where", Description = "Only the accounts that match every given condition." }))
            .Allow(Roles.Staff)
            .ResolveAsync(async ctx => await UserSearch.PageAsync(ctx));
    }
}
