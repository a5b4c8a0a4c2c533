using GraphQL.Types;
using Imail.Api.Auth;
using Imail.Api.GraphQL;
using Imail.Domain.Partners;
using Imail.Domain.Persistence;
using Microsoft.Extensions.Options;

namespace Imail.Api.Partners;

public sealed record RegisterWebhookEndpointInput(string Url, List<string>? EventTypes);

public sealed record WebhookEndpointInput(Guid EndpointId);

public sealed record ReplayWebhookEventsInput(Guid EndpointId, DateTimeOffset Since);

/// <summary>An endpoint and the secret the partner sees this once.</summary>
public sealed record WebhookSecret(WebhookEndpoint Endpoint, string Secret);

public sealed record WebhookReplay(WebhookEndpoint Endpoint, int Replayed);

/// <summary>Signed webhooks (docs/webhooks.md): a partner registers its endpoints, rotates their secrets, removes them, replays events.</summary>
public sealed class WebhookMutations(IOptionsMonitor<WebhookOptions> webhooks, IOptionsMonitor<PartnerEventOptions> events, TimeProvider clock) : IMutationFields
{
    private static readonly string[] UrlErrors =
    [
        $"INVALID_WEBHOOK_URL (not an absolute http(s) URL, over {WebhookUrl.MaxLength} characters, a user name or password, a fragment, spaces or control characters)",
        "WEBHOOK_HTTPS_REQUIRED", "WEBHOOK_URL_NOT_PUBLIC (loopback, private, link-local, shared or multicast address)", "WEBHOOK_HOST_UNRESOLVED",
    ];

    public void AddTo(MutationType mutation)
    {
        mutation.Mutation<RegisterWebhookEndpointInputType, RegisterWebhookEndpointInput, WebhookSecret>("registerWebhookEndpoint",
            SecretPayload("RegisterWebhookEndpointPayload", "registerWebhookEndpoint", "The endpoint, registered."),
            "Registers an endpoint the partner's events are POSTed to, signed per Standard Webhooks (partner). The answer holds its signing secret: shown this once, store it.",
            [.. UrlErrors, "UNKNOWN_EVENT_TYPE", "WEBHOOK_ENDPOINT_LIMIT (at most Imail:Webhooks:MaxEndpointsPerPartner, 10 by default)"],
            async m =>
            {
                var (endpoint, secret) = await Desk(await m.DbAsync()).RegisterAsync(WebhookCaller.Partner(m.Field.User)!, m.Input.Url, m.Input.EventTypes, m.Cancellation);
                return new WebhookSecret(endpoint, secret);
            })
            .Allow(Roles.Partner);

        mutation.Mutation<WebhookEndpointInputType, WebhookEndpointInput, WebhookSecret>("rotateWebhookSecret",
            SecretPayload("RotateWebhookSecretPayload", "rotateWebhookSecret", "The endpoint, with `previousSecretExpiresAt` set."),
            "Gives the endpoint a new signing secret, shown this once (partner). The previous one keeps signing alongside it (two signatures in `webhook-signature`) for Imail:Webhooks:SecretOverlap, 24 hours by default; a secret older than that stops now.",
            ["WEBHOOK_ENDPOINT_NOT_FOUND (also for another partner's)"],
            async m =>
            {
                var (endpoint, secret) = await Desk(await m.DbAsync()).RotateSecretAsync(WebhookCaller.Partner(m.Field.User)!, m.Input.EndpointId, m.Cancellation);
                return new WebhookSecret(endpoint, secret);
            },
            retryRaces: true)
            .Allow(Roles.Partner);

        mutation.Mutation<WebhookEndpointInputType, WebhookEndpointInput, Guid>("removeWebhookEndpoint",
            new PayloadGraph<Guid>("RemoveWebhookEndpointPayload", "The answer of `removeWebhookEndpoint`: the removed endpoint's id, or the typed errors that prevented it.",
                p => p.Result<IdGraphType>("removedEndpointId", "The removed endpoint's id. Null when `errors` is not empty.", id => id)),
            "Removes an endpoint (partner): nothing more is sent to it, deliveries still pending included.",
            ["WEBHOOK_ENDPOINT_NOT_FOUND (also for another partner's)"],
            async m => await Desk(await m.DbAsync()).RemoveAsync(WebhookCaller.Partner(m.Field.User)!, m.Input.EndpointId, m.Cancellation))
            .Allow(Roles.Partner);

        mutation.Mutation<ReplayWebhookEventsInputType, ReplayWebhookEventsInput, WebhookReplay>("replayWebhookEvents",
            new PayloadGraph<WebhookReplay>("ReplayWebhookEventsPayload", "The answer of `replayWebhookEvents`: how many deliveries are owed again, or the typed errors that prevented it.",
                p => p.Result<WebhookEndpointType>("endpoint", "The endpoint. Null when `errors` is not empty.", r => r.Endpoint)
                    .Result<IntGraphType>("replayed", "Deliveries owed again (the events its filter takes). Null when `errors` is not empty.", r => r.Replayed)),
            "Delivers again every event logged since `since` that the endpoint's filter takes (partner), each as a new delivery with the event's own `webhook-id`, so receivers de-duplicate what they already had. Events are kept for Imail:Partners:EventRetention (30 days by default).",
            ["WEBHOOK_ENDPOINT_NOT_FOUND (also for another partner's)", "REPLAY_BEYOND_RETENTION", "WEBHOOK_ENDPOINT_DISABLED"],
            async m =>
            {
                var (endpoint, replayed) = await Desk(await m.DbAsync()).ReplayAsync(WebhookCaller.Partner(m.Field.User)!, m.Input.EndpointId, m.Input.Since, m.Cancellation);
                return new WebhookReplay(endpoint, replayed);
            })
            .Allow(Roles.Partner);
    }

    private WebhookDesk Desk(ImailDbContext db) => new(db, webhooks.CurrentValue, events.CurrentValue.EventRetention, clock.GetUtcNow());

    private static PayloadGraph<WebhookSecret> SecretPayload(string name, string mutation, string endpointDescription) => new(name,
        $"The answer of `{mutation}`: the endpoint and its signing secret, or the typed errors that prevented it.",
        p => p.Result<WebhookEndpointType>("endpoint", endpointDescription + " Null when `errors` is not empty.", r => r.Endpoint)
            .Result<StringGraphType>("secret",
                "The signing secret (`whsec_` and base64), shown this once: no query returns it. Verify deliveries with it (docs/webhooks.md). Null when `errors` is not empty.",
                r => r.Secret));
}

public sealed class RegisterWebhookEndpointInputType : InputObjectGraphType<RegisterWebhookEndpointInput>
{
    public RegisterWebhookEndpointInputType()
    {
        Name = "RegisterWebhookEndpointInput";
        Field(i => i.Url).Description($"Where to POST: an absolute https URL (http only in development), at most {WebhookUrl.MaxLength} characters, on the public internet.");
        Field(i => i.EventTypes, nullable: true).Description($"The event types to receive; omitted or empty for all, those added later included. Known: {string.Join(", ", PartnerEventTypes.All.Select(t => $"`{t}`"))}.");
    }
}

public sealed class WebhookEndpointInputType : InputObjectGraphType<WebhookEndpointInput>
{
    public WebhookEndpointInputType()
    {
        Name = "WebhookEndpointInput";
        Field(i => i.EndpointId, type: typeof(NonNullGraphType<IdGraphType>)).Description("One of your webhook endpoints.");
    }
}

public sealed class ReplayWebhookEventsInputType : InputObjectGraphType<ReplayWebhookEventsInput>
{
    public ReplayWebhookEventsInputType()
    {
        Name = "ReplayWebhookEventsInput";
        Field(i => i.EndpointId, type: typeof(NonNullGraphType<IdGraphType>)).Description("One of your webhook endpoints.");
        Field(i => i.Since).Description("Events logged at or after this instant are delivered again; within the event log's retention.");
    }
}
