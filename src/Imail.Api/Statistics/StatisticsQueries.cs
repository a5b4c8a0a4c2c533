using System.Security.Claims;
using GraphQL;
using GraphQL.Types;
using Imail.Api.Auth;
using Imail.Api.GraphQL;
using Imail.Domain.Common;
using Imail.Domain.ConnectedAccounts;
using Imail.Domain.Policies;
using Imail.Domain.Statistics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Imail.Api.Statistics;

public sealed class StatisticsQueries(TimeProvider clock, IOptions<StatisticsOptions> options, IOptions<ConnectedAccountProviders> providers) : IQueryFields
{
    public void AddTo(QueryType query)
    {
        query.Field<StatisticsAnswerType>("statistics")
            .Description("Accounts counted by one axis or two (P3), in groups of at least k; null, with an error, when the question is refused (so aliased questions beside it still get their answers). A question is counted at most once a day (`Imail:Statistics:MaxAge`): until then it gets the same answer, `computedAt` saying when it was counted. Every request is logged (who, which axes, never the answer). "
                + "Partners: only the dimensions the publisher shares (`DIMENSION_NOT_SHARED`), and no two-axis question that closes a cycle with the two-axis answers they hold (`COMBINATION_REFUSED`). "
                + "Other errors: `INVALID_STATISTICS_AXIS`, `INVALID_STATISTICS_AXES`, `LINKED_DIMENSIONS`. See docs/statistics.md for what the answers guarantee.")
            .Argument<NonNullGraphType<ListGraphType<NonNullGraphType<StatisticsAxisInputType>>>>("by", "One or two axes.")
            .Allow(Roles.Partner, Roles.Staff)
            .ResolveAsync(async ctx =>
            {
                var input = ctx.GetArgument<List<StatisticsAxisInput>>("by");
                await using var db = await ctx.Db();
                try
                {
                    IReadOnlyCollection<string> published = input.Any(a => a.PolicyVersion is not null)
                        ? await db.PolicyVersions.AsNoTracking().Where(v => v.Status == PolicyVersionStatus.Published).Select(v => v.Number).ToListAsync(ctx.CancellationToken)
                        : [];
                    var catalogue = providers.Value.Catalogue();
                    var axes = input.Select((a, i) => StatisticsAxis.Check(a.Dimension, a.Purpose, a.Provider, a.Scope, a.PolicyVersion, catalogue, published, $"by[{i}]")).ToList();
                    return await new StatisticsDesk(db, options.Value, clock).AskAsync(Asker(ctx.User), axes, ctx.CancellationToken);
                }
                catch (RuleViolation violation)
                {
                    throw new ExecutionError(violation.Field is { } field ? $"{violation.Message} ({field})" : violation.Message) { Code = violation.Code };
                }
            });

        query.Field<NonNullGraphType<ListGraphType<NonNullGraphType<StatisticsDimensionInfoType>>>>("statisticsDimensions")
            .Description("The dimensions `statistics` counts by, and which the publisher shares with partners.")
            .Allow(Roles.Partner, Roles.Staff)
            .Resolve(_ => Enum.GetValues<StatisticsDimension>().Select(d => new StatisticsDimensionInfo(d, d switch
            {
                StatisticsDimension.Consent => "purpose",
                StatisticsDimension.ConnectedAccount => "provider",
                StatisticsDimension.GrantedScope => "provider and scope",
                StatisticsDimension.PolicyDecision => "policyVersion",
                _ => null,
            }, options.Value.SharedWithPartners.Contains(d))).ToList());
    }

    private static StatisticsAsker Asker(ClaimsPrincipal? user)
    {
        var subject = user?.FindFirstValue("sub") ?? "";
        if (subject.Length > StatisticsRequest.AskerMaxLength) subject = subject[..StatisticsRequest.AskerMaxLength];
        return new StatisticsAsker(user?.IsInRole(Roles.Staff) == true ? StatisticsAsker.Staff : StatisticsAsker.Partner, subject);
    }
}
