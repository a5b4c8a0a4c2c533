using Imail.Domain.Common;
using Imail.Domain.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Imail.Domain.Partners;

/// <summary>A partner's webhook endpoints: registration, secret rotation, removal and replay, each in one transaction.</summary>
public sealed class WebhookDesk(ImailDbContext db, WebhookOptions options, TimeSpan eventRetention, DateTimeOffset now)
{
    // Two-key advisory locks are a key space of their own; this first key names "a partner's endpoints".
    private const int EndpointsLock = 0x7768_6B31;

    /// <summary>A new endpoint and its secret, shown to the partner this once.</summary>
    public async Task<(WebhookEndpoint Endpoint, string Secret)> RegisterAsync(string partner, string? url, IEnumerable<string>? eventTypes, CancellationToken ct)
    {
        var target = WebhookUrl.Parse(url, options.RequireHttps);
        var types = WebhookUrl.EventTypes(eventTypes);
        await WebhookUrl.CheckReachableAsync(target, options, ct);

        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        // One registration per partner at a time, so two at once cannot both pass the limit.
        await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock({EndpointsLock}, hashtext({partner}))", ct);
        var existing = await db.WebhookEndpoints.CountAsync(e => e.Partner == partner, ct);
        var (endpoint, secret) = WebhookEndpoint.Register(partner, target, types, existing, options.MaxEndpointsPerPartner, now);
        db.WebhookEndpoints.Add(endpoint);
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        return (endpoint, secret);
    }

    public async Task<(WebhookEndpoint Endpoint, string Secret)> RotateSecretAsync(string partner, Guid endpointId, CancellationToken ct)
    {
        var endpoint = await OwnAsync(partner, endpointId, ct);
        var secret = endpoint.RotateSecret(options.SecretOverlap, now);
        await db.SaveChangesAsync(ct);
        return (endpoint, secret);
    }

    /// <summary>Removes the endpoint; its pending deliveries have nothing left to do (the worker counts them delivered).</summary>
    public async Task<Guid> RemoveAsync(string partner, Guid endpointId, CancellationToken ct)
    {
        var endpoint = await OwnAsync(partner, endpointId, ct);
        db.WebhookEndpoints.Remove(endpoint);
        await db.SaveChangesAsync(ct);
        return endpoint.Id;
    }

    /// <summary>Owes the endpoint again every event logged since <paramref name="since"/> (within the event log's retention); returns how many.</summary>
    public async Task<(WebhookEndpoint Endpoint, int Replayed)> ReplayAsync(string partner, Guid endpointId, DateTimeOffset since, CancellationToken ct)
    {
        var endpoint = await OwnAsync(partner, endpointId, ct);
        Rule.Check(since >= now - eventRetention, new ReplayWithinRetentionRule(eventRetention));
        Rule.Check(endpoint.IsActive, new EndpointMustBeActiveRule());
        var replayed = await db.ReplayAsync(endpoint, since, now, ct);
        return (endpoint, replayed);
    }

    /// <summary>The partner's endpoint; another partner's is as missing as one that does not exist.</summary>
    public async Task<WebhookEndpoint> OwnAsync(string partner, Guid endpointId, CancellationToken ct) =>
        await db.WebhookEndpoints.FirstOrDefaultAsync(e => e.Id == endpointId && e.Partner == partner, ct)
        ?? throw new WebhookEndpointMustExistRule(endpointId).Violation();
}
