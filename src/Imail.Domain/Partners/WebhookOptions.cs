namespace Imail.Domain.Partners;

/// <summary><c>Imail:Webhooks</c>: what the API checks at registration and the worker at delivery.</summary>
public sealed class WebhookOptions
{
    public const string Section = "Imail:Webhooks";

    /// <summary>Refuse <c>http://</c> endpoints. Default true; false in Development and Testing.</summary>
    public bool RequireHttps { get; set; } = true;

    /// <summary>
    /// Allow endpoints on loopback, private (RFC 1918, ULA), link-local, CGNAT, unspecified and multicast
    /// addresses. Default false (SSRF: a partner must not make Imail call into its own network); true in
    /// Development and Testing, where receivers run on loopback.
    /// </summary>
    public bool AllowPrivateNetworks { get; set; }

    /// <summary>Endpoints one partner may register.</summary>
    public int MaxEndpointsPerPartner { get; set; } = 10;

    /// <summary>After a rotation, how long the previous secret keeps signing alongside the new one.</summary>
    public TimeSpan SecretOverlap { get; set; } = TimeSpan.FromHours(24);

    /// <summary>One delivery's whole HTTP exchange (connect, send, response headers); past it the attempt is transient.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Deliveries one relay batch has on the wire at once.</summary>
    public int MaxConcurrentRequests { get; set; } = 32;

    /// <summary>Development and Testing run receivers on loopback, over plain HTTP.</summary>
    public void RelaxForDevelopment()
    {
        RequireHttps = false;
        AllowPrivateNetworks = true;
    }

    public static bool IsValid(WebhookOptions o) =>
        o.MaxEndpointsPerPartner > 0 && o.SecretOverlap >= TimeSpan.Zero && o.RequestTimeout > TimeSpan.Zero && o.MaxConcurrentRequests > 0;

    public const string ValidationMessage = $"{Section}: MaxEndpointsPerPartner, RequestTimeout and MaxConcurrentRequests are positive, SecretOverlap is not negative.";
}
