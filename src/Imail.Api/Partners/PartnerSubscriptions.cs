using GraphQL;
using GraphQL.Types;
using Imail.Api.Auth;
using Imail.Api.GraphQL;

namespace Imail.Api.Partners;

public sealed class PartnerSubscriptions(PartnerEventBackplane backplane) : ISubscriptionFields
{
    public void AddTo(SubscriptionType subscription) =>
        subscription.Field<NonNullGraphType<PartnerEventType>>("partnerEvents")
            .Description("""
                The partners' events as they are published (partners, staff), in the log's order, each once. With `after`,
                first every event logged after that cursor, then the live ones, with no gap and no duplicate: resume with the
                `cursor` of the last event received. Errors: `INVALID_CURSOR` (not a cursor of the log), `CURSOR_EXPIRED` (its
                event is older than the log keeps: Imail:Partners:EventRetention), `SUBSCRIBER_TOO_SLOW` (ended; resume).
                """)
            .Argument<StringGraphType>("after", "The `cursor` of the last event received: the stream starts right after it. Without it, from now on.")
            .Argument<ListGraphType<NonNullGraphType<StringGraphType>>>("types", "Only events of these types (e.g. `policyVersionPublished`); all when absent or empty.")
            .Allow(Roles.Partner, Roles.Staff)
            .ResolveStreamAsync(async ctx =>
            {
                long? after = ctx.GetArgument<string?>("after") is { } text ? await backplane.CheckCursorAsync(text, ctx.CancellationToken) : null;
                return backplane.Subscribe(after, ctx.GetArgument<List<string>?>("types"));
            });
}
