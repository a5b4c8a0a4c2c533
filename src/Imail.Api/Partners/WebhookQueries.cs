using System.Security.Claims;
using GraphQL;
using GraphQL.Types;
using Imail.Api.Auth;
using Imail.Api.GraphQL;
using Imail.Api.Outbox;
using Imail.Domain.Outbox;
using Imail.Domain.Partners;
using Microsoft.EntityFrameworkCore;

namespace Imail.Api.Partners;

public sealed class WebhookQueries : IQueryFields
{
    // The kind written out, not a parameter, so the planner matches the partial expression index
    // ix_outbox_messages_webhook_endpoint (migration WebhookEndpoints).
    private const string DeliveriesSql = $"SELECT * FROM outbox_messages WHERE kind = '{WebhookDeliveries.Kind}' AND (payload->>'endpointId')::uuid = {{0}}";

    public void AddTo(QueryType query)
    {
        query.Field<NonNullGraphType<WebhookEndpointConnectionType>>("webhookEndpoints")
            .Description("A partner's webhook endpoints, oldest first (staff: every partner's). Secrets are never returned.")
            .Arguments(Paging.Arguments())
            .Allow(Roles.Partner, Roles.Staff)
            .ResolveAsync(async ctx =>
            {
                var partner = WebhookCaller.Partner(ctx.User);
                return await KeysetPaging.ByIdAsync(ctx, db =>
                {
                    var endpoints = db.WebhookEndpoints.AsNoTracking();
                    return partner is null ? endpoints : endpoints.Where(e => e.Partner == partner);
                }, e => e.Id);
            });

        query.Field<NonNullGraphType<WebhookDeliveryConnectionType>>("webhookDeliveries")
            .Description("The deliveries to one of the partner's endpoints, oldest first: state, attempts, last error (staff: any endpoint's). "
                + "`WEBHOOK_ENDPOINT_NOT_FOUND` for an endpoint that does not exist or is not the caller's.")
            .Arguments(Paging.Arguments(
                new QueryArgument<NonNullGraphType<IdGraphType>> { Name = "endpointId", Description = "The endpoint." },
                new QueryArgument<OutboxStateType> { Name = "state", Description = "Only the deliveries in this state (DEAD: what was given up on)." }))
            .Allow(Roles.Partner, Roles.Staff)
            .ResolveAsync(async ctx =>
            {
                // Not an id this API gives out: no endpoint has it (the same answer as for another partner's).
                var endpointId = Guid.TryParse(ctx.GetArgument<string>("endpointId"), out var id) ? id : Guid.Empty;
                var state = ctx.GetArgument<OutboxState?>("state");
                var partner = WebhookCaller.Partner(ctx.User);
                await using (var db = await ctx.Db())
                {
                    if (!await db.WebhookEndpoints.AnyAsync(e => e.Id == endpointId && (partner == null || e.Partner == partner), ctx.CancellationToken))
                    {
                        var rule = new WebhookEndpointMustExistRule(endpointId);
                        throw new ExecutionError(rule.Message) { Code = rule.Code };
                    }
                }
                return await KeysetPaging.ByIdAsync(ctx, db =>
                {
                    var deliveries = db.OutboxMessages.FromSqlRaw(DeliveriesSql, endpointId).AsNoTracking();
                    return state is { } s ? deliveries.Where(m => m.State == s) : deliveries;
                }, m => m.Id);
            });
    }
}

/// <summary>Who a webhook field answers for.</summary>
public static class WebhookCaller
{
    /// <summary>The partner's token subject; null for staff, who see every partner's.</summary>
    public static string? Partner(ClaimsPrincipal? user) =>
        user?.IsInRole(Roles.Partner) == true
            ? user.FindFirstValue("sub") is { Length: > 0 } sub ? sub : throw new InvalidOperationException("A partner token without a subject.")
            : null;
}
