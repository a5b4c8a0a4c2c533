using System.Globalization;
using GraphQL;
using GraphQL.Types;
using Imail.Api.Auth;
using Imail.Api.GraphQL;
using Imail.Domain.Common;
using Imail.Domain.Lifecycle;
using Imail.Domain.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Imail.Api.Lifecycle;

public sealed class DeletionQueries(IOptionsMonitor<DeletionRequestOptions> options, TimeProvider clock) : IQueryFields
{
    public void AddTo(QueryType query)
    {
        query.Field<NonNullGraphType<DeletionRequestConnectionType>>("deletionRequests")
            .Description("Deletion requests (P10), soonest due first (staff): what must be carried out, and by when.")
            .Arguments(Paging.Arguments(new QueryArgument<DeletionRequestStatusType>
            {
                Name = "status",
                Description = "Only the requests in this status; all of them when omitted.",
            }))
            .Allow(Roles.Staff)
            .ResolveAsync(async ctx => await PageAsync(ctx, ctx.GetArgument<DeletionRequestStatus?>("status")));
    }

    /// <summary>
    /// Keyset on (due date, id): due dates repeat and move (an extension), so the cursor carries both; a
    /// request extended while a client pages may show up again further on, never twice on one page.
    /// </summary>
    private async Task<Page<DeletionRequest>> PageAsync(IResolveFieldContext ctx, DeletionRequestStatus? status)
    {
        var first = Paging.First(ctx);
        var after = Paging.DecodeCursor(ctx) is { } cursor ? ParseCursor(cursor) : null;
        var now = clock.GetUtcNow();
        var dueSoonDays = options.CurrentValue.DueSoonDays;
        var factory = ctx.RequestServices!.GetRequiredService<IDbContextFactory<ImailDbContext>>();

        IQueryable<DeletionRequest> Filtered(ImailDbContext db)
        {
            var requests = db.DeletionRequests.AsNoTracking();
            return status is { } s ? requests.WithStatus(s, now, dueSoonDays) : requests;
        }

        await using var db = await factory.CreateDbContextAsync(ctx.CancellationToken);
        var page = Filtered(db);
        if (after is var (dueAt, id)) page = page.Where(r => r.DueAt > dueAt || r.DueAt == dueAt && r.Id > id);
        var rows = await page.OrderBy(r => r.DueAt).ThenBy(r => r.Id).Take(first + 1).ToListAsync(ctx.CancellationToken);

        return new Page<DeletionRequest>(rows.Take(first).ToList(),
            r => Paging.EncodeCursor($"{r.DueAt.UtcTicks.ToString(CultureInfo.InvariantCulture)}:{r.Id}"),
            hasNextPage: rows.Count > first, hasPreviousPage: after is not null,
            countTotal: async ct =>
            {
                await using var countDb = await factory.CreateDbContextAsync(ct);
                return await Filtered(countDb).CountAsync(ct);
            });
    }

    private static (DateTimeOffset DueAt, Guid Id)? ParseCursor(string cursor)
    {
        var colon = cursor.IndexOf(':');
        if (colon > 0 && long.TryParse(cursor[..colon], NumberStyles.None, CultureInfo.InvariantCulture, out var ticks)
            && ticks <= DateTimeOffset.MaxValue.UtcTicks && Guid.TryParse(cursor[(colon + 1)..], out var id))
            return (new DateTimeOffset(ticks, TimeSpan.Zero), id);
        throw new ExecutionError($"'after' is not a cursor this list gave out: {Excerpt.Quote(cursor)}.") { Code = "INVALID_CURSOR" };
    }
}
