using GraphQL;
using GraphQL.Types;
using Imail.Api.Auth;
using Imail.Api.GraphQL;
using Imail.Domain.Incidents;
using Microsoft.EntityFrameworkCore;

namespace Imail.Api.Incidents;

public sealed class IncidentQueries(TimeProvider clock) : IQueryFields
{
    public void AddTo(QueryType query)
    {
        query.Field<NonNullGraphType<IncidentConnectionType>>("incidents")
            .Description("Security incidents, in the order they were declared (staff, P12).")
            .Arguments(Paging.Arguments(new QueryArgument<BooleanGraphType>
            {
                Name = "overdue",
                Description = "true: only those whose authority notification is overdue (`overdue`); false: only the others.",
            }))
            .Allow(Roles.Staff)
            .ResolveAsync(async ctx =>
            {
                var overdue = ctx.GetArgument<bool?>("overdue");
                var late = clock.GetUtcNow() - Incident.AuthorityDelay;
                return await KeysetPaging.ByIdAsync(ctx, db =>
                {
                    var incidents = db.Incidents.AsNoTracking();
                    return overdue switch
                    {
                        true => incidents.Where(i => i.AuthorityNotifiedAt == null && i.AuthorityNotRequiredReason == null && i.AwareAt < late),
                        false => incidents.Where(i => !(i.AuthorityNotifiedAt == null && i.AuthorityNotRequiredReason == null && i.AwareAt < late)),
                        null => incidents,
                    };
                }, i => i.Id);
            });

        query.Field<IncidentType>("incident")
            .Description("One incident by id (staff); null when there is none.")
            .Argument<NonNullGraphType<IdGraphType>>("id", "The incident's id.")
            .Allow(Roles.Staff)
            .ResolveAsync(async ctx =>
            {
                if (!Guid.TryParse(ctx.GetArgument<string>("id"), out var id)) return null;
                await using var db = await ctx.Db();
                return await db.Incidents.AsNoTracking().FirstOrDefaultAsync(i => i.Id == id, ctx.CancellationToken);
            });
    }
}
