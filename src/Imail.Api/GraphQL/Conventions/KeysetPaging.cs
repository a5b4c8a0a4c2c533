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
        var keyOf = CompiledKey<T>.Of(key);

        await using var db = await factory.CreateDbContextAsync(ctx.CancellationToken);
        var page = filtered(db);
        if (after is { } a)
        {
            // The cursor as a member of a closure object, as a C# lambda would capture it: EF Core sends it as a
            // parameter, so every page after the first shares one cached query and one prepared statement.
            var afterKey = Expression.Field(Expression.Constant(new Cursor(a)), nameof(Cursor.Value));
            page = page.Where(Expression.Lambda<Func<T, bool>>(Expression.GreaterThan(key.Body, afterKey), key.Parameters));
        }
        var rows = await page.OrderBy(key).Take(first + 1).ToListAsync(ctx.CancellationToken);

        return new Page<T>(rows.Take(first).ToList(), row => Paging.EncodeCursor(keyOf(row).ToString()),
            hasNextPage: rows.Count > first, hasPreviousPage: after is not null,
            countTotal: async ct =>
            {
                await using var countDb = await factory.CreateDbContextAsync(ct);
                return await filtered(countDb).CountAsync(ct);
            });
    }

    private sealed class Cursor(Guid value)
    {
        public readonly Guid Value = value;
    }

    /// <summary>
    /// The key read from a row, compiled once per key member: compiling the expression on every
    /// request cost a dynamic method (and the JIT's time) per page.
    /// </summary>
    private static class CompiledKey<T>
    {
        private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, Func<T, Guid>> Cache = new();

        public static Func<T, Guid> Of(Expression<Func<T, Guid>> key) =>
            key.Body is MemberExpression { Expression: ParameterExpression } member
                ? Cache.GetOrAdd(member.Member.Name, _ => key.Compile())
                : key.Compile();
    }
}
