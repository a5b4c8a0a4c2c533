using System.Globalization;
using GraphQL;
using GraphQL.Types;
using Imail.Api.Auth;
using Imail.Api.GraphQL;
using Imail.Domain.Common;
using Imail.Domain.Persistence;
using Mapster;
using Microsoft.EntityFrameworkCore;

namespace Imail.Api.Lifecycle;

public sealed class LifecycleQueries : IQueryFields
{
    public void AddTo(QueryType query)
    {
        query.Field<NonNullGraphType<StaffActionConnectionType>>("auditTrail")
            .Description("Every staff action, oldest first, those about erased accounts included (they name nobody: `subject` is the only reference left). Staff (P11).")
            .Arguments(Paging.Arguments(new QueryArgument<IdGraphType> { Name = "subject", Description = "Only the actions about the account with this audit reference (`User.auditRef`, `Erasure.subject`)." }))
            .Allow(Roles.Staff)
            .ResolveAsync(async ctx =>
            {
                var subject = ctx.GetArgument<string?>("subject") switch
                {
                    null => (Guid?)null,
                    var raw => Guid.TryParse(raw, out var id) ? id : Guid.Empty, // no account has the empty reference: an empty page
                };
                return await KeysetPaging.ByIdAsync(ctx, db =>
                {
                    var actions = db.StaffActions.AsNoTracking();
                    if (subject is { } s) actions = actions.Where(a => a.Subject == s);
                    return actions.ProjectToType<StaffActionView>(LifecycleViews.Config);
                }, a => a.Id);
            });

        query.Field<NonNullGraphType<ErasureConnectionType>>("erasures")
            .Description("Every erasure (P8), oldest first: when, why, by which role and staff member, which data categories and how many rows of each table. Staff.")
            .Arguments(Paging.Arguments())
            .Allow(Roles.Staff)
            .ResolveAsync(async ctx => await ErasuresAsync(ctx));
    }

    /// <summary>
    /// Erasure ids are random (they must say nothing beyond the time), so the pages follow
    /// (<c>erasedAt</c>, <c>id</c>): the cursor is both.
    /// </summary>
    private static async Task<Page<ErasureView>> ErasuresAsync(IResolveFieldContext ctx)
    {
        var first = Paging.First(ctx);
        var after = Paging.DecodeCursor(ctx) is { } cursor ? ParseCursor(cursor) : null;
        var factory = ctx.RequestServices!.GetRequiredService<IDbContextFactory<ImailDbContext>>();
        await using var db = await factory.CreateDbContextAsync(ctx.CancellationToken);
        var erasures = db.Erasures.AsNoTracking();
        if (after is var (at, id)) erasures = erasures.Where(e => e.ErasedAt > at || e.ErasedAt == at && e.Id > id);
        var rows = await erasures.OrderBy(e => e.ErasedAt).ThenBy(e => e.Id).Take(first + 1).ToListAsync(ctx.CancellationToken);
        var views = rows.Take(first).Select(e => e.Adapt<ErasureView>(LifecycleViews.Config)).ToList();
        return new Page<ErasureView>(views, e => Paging.EncodeCursor($"{e.ErasedAt.UtcTicks.ToString(CultureInfo.InvariantCulture)}:{e.Id}"),
            hasNextPage: rows.Count > first, hasPreviousPage: after is not null,
            countTotal: async ct =>
            {
                await using var countDb = await factory.CreateDbContextAsync(ct);
                return await countDb.Erasures.CountAsync(ct);
            });
    }

    private static (DateTimeOffset At, Guid Id)? ParseCursor(string cursor)
    {
        var colon = cursor.IndexOf(':');
        return colon > 0 && long.TryParse(cursor.AsSpan(0, colon), NumberStyles.None, CultureInfo.InvariantCulture, out var ticks)
               && ticks <= DateTimeOffset.MaxValue.UtcTicks && Guid.TryParse(cursor.AsSpan(colon + 1), out var id)
            ? (new DateTimeOffset(ticks, TimeSpan.Zero), id)
            : throw new ExecutionError($"'after' is not a cursor this list gave out: {Excerpt.Quote(cursor)}.") { Code = "INVALID_CURSOR" };
    }
}
