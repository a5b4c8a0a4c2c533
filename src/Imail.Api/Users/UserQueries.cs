using System.Security.Claims;
using GraphQL;
using GraphQL.Types;
using Imail.Api.Auth;
using Imail.Api.Schema;
using Imail.Domain.Persistence;
using Imail.Domain.Users;
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

public static class CurrentUser
{
    /// <summary>The account id of a <c>user</c> token (its <c>sub</c>); null for other callers.</summary>
    public static Guid? Id(ClaimsPrincipal? principal) =>
        principal?.IsInRole(Roles.User) == true && Guid.TryParse(principal.FindFirstValue("sub"), out var id) ? id : null;
}

public static class DbAccess
{
    /// <summary>A DbContext of the resolver's own: resolvers run in parallel and a DbContext is not thread-safe.</summary>
    public static Task<ImailDbContext> Db(this IResolveFieldContext ctx) =>
        ctx.RequestServices!.GetRequiredService<IDbContextFactory<ImailDbContext>>().CreateDbContextAsync(ctx.CancellationToken);
}
