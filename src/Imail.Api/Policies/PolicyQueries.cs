using GraphQL;
using GraphQL.Types;
using Imail.Api.Auth;
using Imail.Api.GraphQL;
using Imail.Domain.Policies;
using Microsoft.EntityFrameworkCore;

namespace Imail.Api.Policies;

public sealed class PolicyQueries(TimeProvider clock) : IQueryFields
{
    public void AddTo(QueryType query)
    {
        query.Field<NonNullGraphType<PolicyVersionConnectionType>>("policyVersions")
            .Description("Every published version of the privacy policy, in the order they were drafted (P13: every version is kept). Anyone may read them; staff may ask for drafts too.")
            .Arguments(Paging.Arguments(new QueryArgument<BooleanGraphType> { Name = "includeDrafts", Description = "Staff: drafts as well (ignored for anyone else)." }))
            .AllowAnyone()
            .ResolveAsync(async ctx =>
            {
                var drafts = ctx.GetArgument("includeDrafts", false) && ctx.User?.IsInRole(Roles.Staff) == true;
                return await KeysetPaging.ByIdAsync(ctx, db =>
                {
                    var versions = db.PolicyVersions.AsNoTracking();
                    return drafts ? versions : versions.Where(v => v.Status == PolicyVersionStatus.Published);
                }, v => v.Id);
            });

        query.Field<PolicyVersionType>("policyVersion")
            .Description("One version by number: a published one for anyone, a draft for staff; null when there is none.")
            .Argument<NonNullGraphType<StringGraphType>>("number", "The version's number, e.g. `1.0`.")
            .AllowAnyone()
            .ResolveAsync(async ctx =>
            {
                var number = ctx.GetArgument<string>("number").Trim();
                var staff = ctx.User?.IsInRole(Roles.Staff) == true;
                await using var db = await ctx.Db();
                return await db.PolicyVersions.AsNoTracking()
                    .FirstOrDefaultAsync(v => v.Number == number && (staff || v.Status == PolicyVersionStatus.Published), ctx.CancellationToken);
            });

        query.Field<PolicyVersionType>("currentPolicyVersion")
            .Description("The version in effect: the latest published one whose effective date has passed. (Whom it governs: `me { policy { governingVersion } }`.)")
            .AllowAnyone()
            .ResolveAsync(async ctx =>
            {
                var now = clock.GetUtcNow();
                await using var db = await ctx.Db();
                return await db.PolicyVersions.AsNoTracking()
                    .Where(v => v.Status == PolicyVersionStatus.Published && v.EffectiveAt <= now)
                    .OrderByDescending(v => v.EffectiveAt).ThenByDescending(v => v.Id)
                    .FirstOrDefaultAsync(ctx.CancellationToken);
            });
    }
}
