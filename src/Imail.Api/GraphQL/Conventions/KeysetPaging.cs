using System.Linq.Expressions;
using GraphQL;
using Imail.Domain.Common;
using Imail.Domain.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Imail.Api.GraphQL.Conventions;

public static class KeysetPaging
{
    /// <summary>
    /// A page ordered by a UUIDv7 key (creation order): <c>first + 1</c> rows after the cursor in
    /// one statement, the total counted only if asked for, on a DbContext of its own.
    /// </summary>
    public static async Task<Page<T>> ByIdAsync<T>(IResolveFieldContext ctx, Func<ImailDbContext, IQueryable<T>> filtered,
        Expression<Func<T, Guid>> key)
    {
        var first = Paging.First(ctx);
        var after = Paging.DecodeCursor(ctx) is { } cursor
            ? Guid.TryParse(cursor, out var id) ? id : throw new ExecutionError($"'after' is not a cursor this list gave out: {Excerpt.Quote(cursor)}.") { Code = "INVALID_CURSOR" }
            : (Guid?)null;
        var factory = ctx.RequestServices!.GetRequiredService<IDbContextFactory<ImailDbContext>>();
        var keyOf = key.Compile();

        await using var db = await factory.CreateDbContextAsync(ctx.CancellationToken);
        var page = filtered(db);
        if (after is { } a)
            page = page.Where(Expression.Lambda<Func<T, bool>>(Expression.GreaterThan(key.Body, Expression.Constant(a)), key.Parameters));
        var rows = await page.OrderBy(key).Take(first + 1).ToListAsync(ctx.CancellationToken);

        return new Page<T>(rows.Take(first).ToList(), row => Paging.EncodeCursor(keyOf(row).ToString()),
            hasNextPage: rows.Count > first, hasPreviousPage: after is not null,
            countTotal: async ct =>
            {
                await using var countDb = await factory.CreateDbContextAsync(ct);
                return await filtered(countDb).CountAsync(ct);
            });
    }
}
