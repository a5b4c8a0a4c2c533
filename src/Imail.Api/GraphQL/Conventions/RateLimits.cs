using System.Security.Claims;
using System.Threading.RateLimiting;
using GraphQL.Execution;
using GraphQL.Types;
using GraphQL.Validation;
using GraphQLParser.AST;
using Imail.Api.GraphQL.Http;
using Microsoft.Extensions.Options;

namespace Imail.Api.GraphQL.Conventions;

/// <summary>What a rate-limited field costs outside the request, each with its own limits (<see cref="RateLimitOptions"/>).</summary>
public enum RateLimitPolicy
{
    /// <summary>Sends e-mail (sign-up confirmation, address change codes and notices).</summary>
    Email,

    /// <summary>Writes a signed proof of consent, kept for years.</summary>
    ConsentProofs,
}

/// <summary>
/// Which fields are rate-limited, declared on the field like <see cref="Access"/>:
/// <c>.RateLimited(RateLimitPolicy.Email)</c>. Each use of such a field in a request counts
/// against its policy's limits, per client address and per signed-in account; a request over a
/// limit is refused before anything runs (429 <c>RATE_LIMITED</c>, with <c>Retry-After</c>).
/// </summary>
public static class RateLimits
{
    private const string Key = "imail:rate-limit";

    public static T RateLimited<T>(this T target, RateLimitPolicy policy) where T : IMetadataWriter
    {
        target.Metadata[Key] = policy;
        return target;
    }

    public static RateLimitPolicy? PolicyOf(IMetadataReader field) =>
        field.HasMetadata(Key) ? field.GetMetadata<RateLimitPolicy>(Key) : null;
}

/// <summary>Limits of one <see cref="RateLimitPolicy"/>; 0 turns a limit off.</summary>
public sealed class RateLimit
{
    /// <summary>Uses per <see cref="Window"/> from one client address (an IPv6 /64 counts as one).</summary>
    public int PerAddress { get; set; }

    /// <summary>Uses per <see cref="Window"/> by one signed-in account, from wherever it calls.</summary>
    public int PerAccount { get; set; }

    /// <summary>The period the limits are counted over; used uses come back evenly across it (a token bucket).</summary>
    public TimeSpan Window { get; set; } = TimeSpan.FromHours(1);
}

/// <summary>
/// Rate limits of the fields that cost something outside the request; bound to <c>Imail:RateLimits</c>.
/// The defaults are far above what a person does through a front-end and far below what a script does.
/// </summary>
public sealed class RateLimitOptions
{
    public const string Section = "Imail:RateLimits";

    /// <summary>
    /// <c>signUp</c>, <c>updateProfile</c>, <c>confirmEmailChange</c> (which also bounds guesses of
    /// its code). A person signs up once and edits a profile a few times;
    /// an office or a carrier's shared address may see a few sign-ups an hour. A script that
    /// would send thousands of e-mails gets one a minute from an address.
    /// </summary>
    public RateLimit Email { get; set; } = new() { PerAddress = 60, PerAccount = 20 };

    /// <summary>
    /// <c>decideConsent</c>, <c>withdrawConsent</c>. Every device answers the banner on its first
    /// visit and now and then after; many devices share an office's address. A script that would
    /// fill the proof table gets one proof every six seconds from an address.
    /// </summary>
    public RateLimit ConsentProofs { get; set; } = new() { PerAddress = 600, PerAccount = 120 };

    public RateLimit For(RateLimitPolicy policy) => policy switch
    {
        RateLimitPolicy.Email => Email,
        RateLimitPolicy.ConsentProofs => ConsentProofs,
        _ => throw new ArgumentOutOfRangeException(nameof(policy)),
    };
}

/// <summary>
/// The limiters: System.Threading.RateLimiting's token buckets, one per (policy, address) and per
/// (policy, account), in a partitioned limiter that forgets buckets once they are full again.
/// ASP.NET Core's rate-limiting middleware cannot be used as such: it limits endpoints, and every
/// GraphQL request is the same <c>POST /graphql</c>; what it costs is known only from its fields.
/// </summary>
public sealed class FieldRateLimiter : IDisposable
{
    private readonly RateLimitOptions _options;
    private readonly PartitionedRateLimiter<Partition> _limiter;

    private readonly record struct Partition(RateLimitPolicy Policy, bool Account, string Who);

    public FieldRateLimiter(IOptions<RateLimitOptions> options)
    {
        _options = options.Value;
        _limiter = PartitionedRateLimiter.Create<Partition, Partition>(partition =>
            RateLimitPartition.GetTokenBucketLimiter(partition, Bucket));
    }

    private int LimitOf(Partition p) => p.Account ? _options.For(p.Policy).PerAccount : _options.For(p.Policy).PerAddress;

    // N uses per window: N tokens, one back every window / N.
    private TokenBucketRateLimiterOptions Bucket(Partition p)
    {
        var limit = LimitOf(p);
        return new()
        {
            TokenLimit = limit,
            TokensPerPeriod = 1,
            ReplenishmentPeriod = TimeSpan.FromTicks(Math.Max(1, _options.For(p.Policy).Window.Ticks / limit)),
            QueueLimit = 0,
            AutoReplenishment = false, // the partitioned limiter replenishes all its buckets from one timer
        };
    }

    /// <summary>Takes <paramref name="uses"/> permits for the address, then for the account; the refusal when one is short.</summary>
    public RateLimitedError? TryAcquire(RateLimitPolicy policy, int uses, string address, string? account)
    {
        return Take(new Partition(policy, false, address), uses, "this address")
            ?? (account is null ? null : Take(new Partition(policy, true, account), uses, "this account"));
    }

    private RateLimitedError? Take(Partition partition, int uses, string who)
    {
        var limit = LimitOf(partition);
        if (limit <= 0) return null;
        var window = _options.For(partition.Policy).Window;
        if (uses > limit) return Refused(partition.Policy, who, limit, window, window);
        using var lease = _limiter.AttemptAcquire(partition, uses);
        if (lease.IsAcquired) return null;
        return Refused(partition.Policy, who, limit, window, lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? retryAfter : window);
    }

    private static RateLimitedError Refused(RateLimitPolicy policy, string who, int limit, TimeSpan window, TimeSpan retryAfter)
    {
        var what = policy switch
        {
            RateLimitPolicy.Email => "mutations that send e-mail",
            _ => "consent decisions",
        };
        return new RateLimitedError($"Too many {what} from {who}: at most {limit} per {Describe(window)}. Nothing was done; try again later (Retry-After).", retryAfter);
    }

    private static string Describe(TimeSpan window) =>
        window.TotalHours >= 1 && window.TotalHours == Math.Floor(window.TotalHours) ? $"{window.TotalHours:0} h"
        : window.TotalMinutes >= 1 && window.TotalMinutes == Math.Floor(window.TotalMinutes) ? $"{window.TotalMinutes:0} min"
        : $"{window.TotalSeconds:0.#} s";

    public void Dispose() => _limiter.Dispose();
}

/// <summary>
/// Applies <see cref="RateLimits"/> once the document is valid and before it runs: a refused
/// request executes nothing, and a document that does not validate costs no permit.
/// </summary>
internal sealed class RateLimitListener(FieldRateLimiter limiter) : DocumentExecutionListenerBase
{
    public override Task AfterValidationAsync(IExecutionContext context, IValidationResult validationResult)
    {
        if (!validationResult.IsValid) return Task.CompletedTask;
        var root = context.Operation.Operation switch
        {
            OperationType.Mutation => context.Schema.Mutation,
            OperationType.Subscription => context.Schema.Subscription,
            _ => context.Schema.Query,
        };
        if (root is null) return Task.CompletedTask;

        Dictionary<RateLimitPolicy, int>? uses = null;
        foreach (var field in RootFields.Of(context.Document, context.Operation))
        {
            if (root.GetField(field.Name.StringValue) is { } definition && RateLimits.PolicyOf(definition) is { } policy)
            {
                uses ??= [];
                uses[policy] = uses.GetValueOrDefault(policy) + 1;
            }
        }
        if (uses is null) return Task.CompletedTask;

        var address = ClientAddress.From(context.ExecutionOptions.UserContext);
        var account = Account(context.User);
        foreach (var (policy, count) in uses)
        {
            if (limiter.TryAcquire(policy, count, address, account) is { } refused)
            {
                context.Errors.Add(refused);
                break;
            }
        }
        return Task.CompletedTask;
    }

    /// <summary>The token's subject; tokens of different roles never share one (user ids are UUIDs).</summary>
    private static string? Account(ClaimsPrincipal? user) =>
        user?.Identity?.IsAuthenticated == true && user.FindFirstValue("sub") is { Length: > 0 } subject ? subject : null;
}
