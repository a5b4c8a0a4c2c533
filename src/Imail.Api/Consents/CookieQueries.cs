using GraphQL;
using GraphQL.Types;
using Imail.Api.GraphQL;
using Microsoft.EntityFrameworkCore;

namespace Imail.Api.Consents;

public sealed class CookieQueries : IQueryFields
{
    public void AddTo(QueryType query)
    {
        query.Field<NonNullGraphType<ListGraphType<NonNullGraphType<CookieType>>>>("cookies")
            .Description("The cookie registry (P5): every cookie the sites deposit, by purpose (necessary, statistics, personalisation) then name. Public.")
            .AllowAnyone()
            .ResolveAsync(async ctx =>
            {
                await using var db = await ctx.Db();
                var cookies = await db.Cookies.AsNoTracking().ToListAsync(ctx.CancellationToken);
                // Purposes are stored by name; the registry reads in the enum's order, so sort here (a handful of rows).
                return cookies.OrderBy(c => c.Purpose).ThenBy(c => c.Name, StringComparer.Ordinal).ToList();
            });

        query.Field<CookieType>("cookie")
            .Description("One cookie of the registry by its exact name; null if the sites do not deposit it. Public.")
            .Argument<NonNullGraphType<StringGraphType>>("name", "The cookie's name (case-sensitive, as the browser shows it).")
            .AllowAnyone()
            .ResolveAsync(async ctx =>
            {
                var name = ctx.GetArgument<string>("name").Trim();
                if (name.Length is 0 or > Domain.Consents.Cookie.NameMaxLength) return null; // no cookie has such a name: no lookup
                await using var db = await ctx.Db();
                return await db.Cookies.AsNoTracking().FirstOrDefaultAsync(c => c.Name == name, ctx.CancellationToken);
            });
    }
}
