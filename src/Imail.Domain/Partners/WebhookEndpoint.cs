using System.Security.Cryptography;
using Imail.Domain.Common;

namespace Imail.Domain.Partners;

/// <summary>
/// Where a partner wants its events POSTed, signed per Standard Webhooks. The secret is a credential:
/// the partner sees it once (registration, rotation), the worker signs with it, no query returns it.
/// A partner's configuration, about no person (not personal data).
/// </summary>
public sealed class WebhookEndpoint
{
    public const int PartnerMaxLength = 200;

    private WebhookEndpoint() { }

    public Guid Id { get; private set; }

    /// <summary>The partner's token subject: the only partner that sees, changes and receives it.</summary>
    public string Partner { get; private set; } = "";

    /// <summary>Absolute http(s) URL, checked by <see cref="WebhookUrl"/>.</summary>
    public string Url { get; private set; } = "";

    /// <summary>The event types it receives; empty for all of them (those added later too).</summary>
    public string[] EventTypes { get; private set; } = [];

    /// <summary><c>whsec_</c> + base64 of 32 random bytes; signs every delivery.</summary>
    public string Secret { get; private set; } = "";

    /// <summary>The secret before the last rotation, which still signs alongside until <see cref="PreviousSecretUntil"/>.</summary>
    public string? PreviousSecret { get; private set; }

    public DateTimeOffset? PreviousSecretUntil { get; private set; }

    public DateTimeOffset CreatedAt { get; private set; }
    public DateTimeOffset UpdatedAt { get; private set; }

    /// <summary>Set when the receiver answered 410 Gone: nothing more is sent to it.</summary>
    public DateTimeOffset? DisabledAt { get; private set; }

    public string? DisabledReason { get; private set; }

    /// <summary>Optimistic concurrency (PostgreSQL's xmin): two rotations at once do not both hand out a secret.</summary>
    public uint Version { get; private set; }

    public bool IsActive => DisabledAt is null;

    /// <summary>A new endpoint and its secret, which the partner is shown once.</summary>
    public static (WebhookEndpoint Endpoint, string Secret) Register(string partner, Uri url, IReadOnlyList<string> eventTypes,
        int existingEndpoints, int maxEndpoints, DateTimeOffset now)
    {
        Rule.Check(existingEndpoints < maxEndpoints, new WebhookEndpointLimitRule(maxEndpoints));
        var endpoint = new WebhookEndpoint
        {
            Id = Ids.New(now),
            Partner = partner,
            Url = url.AbsoluteUri,
            EventTypes = eventTypes.ToArray(),
            Secret = NewSecret(),
            CreatedAt = now,
            UpdatedAt = now,
        };
        return (endpoint, endpoint.Secret);
    }

    /// <summary>
    /// A new secret, shown once; the current one keeps signing alongside it for <paramref name="overlap"/>, so the
    /// partner can deploy the new one without losing a delivery. A secret older than that stops signing now.
    /// </summary>
    public string RotateSecret(TimeSpan overlap, DateTimeOffset now)
    {
        PreviousSecret = Secret;
        PreviousSecretUntil = now + overlap;
        Secret = NewSecret();
        UpdatedAt = now;
        return Secret;
    }

    /// <summary>
    /// The secrets a delivery is signed with at <paramref name="now"/>: the current one, and during the overlap the previous
    /// one, whose signature comes first. The spec's verifiers check every signature; the StandardWebhooks .NET package
    /// (1.1.2) checks only the first, so a receiver built on it that has not deployed the new secret yet still verifies.
    /// </summary>
    public static IReadOnlyList<string> SigningSecrets(string secret, string? previous, DateTimeOffset? previousUntil, DateTimeOffset now) =>
        previous is not null && previousUntil > now ? [previous, secret] : [secret];

    /// <summary>When the previous secret stops signing, while it still does.</summary>
    public DateTimeOffset? PreviousSecretExpiresAt(DateTimeOffset now) => PreviousSecret is not null && PreviousSecretUntil > now ? PreviousSecretUntil : null;

    /// <summary>Whether it receives events of <paramref name="type"/>.</summary>
    public bool Receives(string type) => EventTypes.Length == 0 || EventTypes.Contains(type, StringComparer.Ordinal);

    /// <summary>The Standard Webhooks format: <c>whsec_</c> and the base64 of 32 random bytes.</summary>
    public static string NewSecret() => WebhookSecretPrefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    public const string WebhookSecretPrefix = "whsec_";
}

public sealed record WebhookEndpointLimitRule(int Max) : BusinessRule("WEBHOOK_ENDPOINT_LIMIT",
    $"A partner may register at most {Max} webhook endpoints: remove one first.", null, RuleKind.Conflict);

/// <summary>A missing endpoint and another partner's answer alike: an id tells nothing about who holds it.</summary>
public sealed record WebhookEndpointMustExistRule(Guid Id) : BusinessRule("WEBHOOK_ENDPOINT_NOT_FOUND",
    $"You have no webhook endpoint {Id}.", null, RuleKind.NotFound);

public sealed record ReplayWithinRetentionRule(TimeSpan Retention) : BusinessRule("REPLAY_BEYOND_RETENTION",
    $"Events are kept {Retention.TotalDays:0.#} days: 'since' must be within them.", "since");

public sealed record EndpointMustBeActiveRule() : BusinessRule("WEBHOOK_ENDPOINT_DISABLED",
    "The endpoint is disabled (it answered 410 Gone): register it again to receive events.", null, RuleKind.Conflict);
