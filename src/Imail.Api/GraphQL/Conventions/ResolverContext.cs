using System.Security.Claims;
using GraphQL;
using Imail.Api.Auth;
using Imail.Domain.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Imail.Api.GraphQL.Conventions;

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
