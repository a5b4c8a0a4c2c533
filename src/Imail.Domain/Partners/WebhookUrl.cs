using System.Net;
using System.Net.Sockets;
using Imail.Domain.Common;

namespace Imail.Domain.Partners;

/// <summary>What a webhook endpoint may be: the URL's shape, its event-type filter, and where its host may lead.</summary>
public static class WebhookUrl
{
    public const int MaxLength = 2048;

    /// <summary>
    /// An absolute http(s) URL (https only when <paramref name="requireHttps"/>), at most <see cref="MaxLength"/>
    /// characters, without user information (a password in a URL ends up in logs), fragment, spaces or controls.
    /// </summary>
    public static Uri Parse(string? raw, bool requireHttps)
    {
        var value = raw?.Trim(' ') ?? "";
        Rule.Check(value.Length is > 0 and <= MaxLength, Invalid, $"The URL must have 1 to {MaxLength} characters.", Field);
        foreach (var c in value)
            Rule.Check(!char.IsControl(c) && !char.IsWhiteSpace(c), Invalid, $"The URL may not contain spaces or control characters (found U+{(int)c:X4}).", Field);
        Rule.Check(Uri.TryCreate(value, UriKind.Absolute, out var url) && url.Scheme is "https" or "http" && url.Host.Length > 0,
            Invalid, $"Not an absolute http(s) URL: {Excerpt.Quote(value)}.", Field);
        Rule.Check(url!.Scheme == "https" || !requireHttps, "WEBHOOK_HTTPS_REQUIRED", "The URL must use https.", Field);
        Rule.Check(url.UserInfo.Length == 0, Invalid, "The URL may not carry a user name or password: authenticate requests by their signature.", Field);
        Rule.Check(url.Fragment.Length == 0, Invalid, "The URL may not have a fragment (#…): it is never sent.", Field);
        Rule.Check(url.AbsoluteUri.Length <= MaxLength, Invalid, $"The URL must have at most {MaxLength} characters once encoded.", Field);
        return url;
    }

    /// <summary>The event types an endpoint asks for, without repeats; empty means all. Unknown types are refused.</summary>
    public static IReadOnlyList<string> EventTypes(IEnumerable<string>? requested)
    {
        var types = (requested ?? []).Distinct(StringComparer.Ordinal).ToList();
        var unknown = types.Where(t => !PartnerEventTypes.IsKnown(t)).ToList();
        Rule.Check(unknown.Count == 0, "UNKNOWN_EVENT_TYPE",
            $"Unknown event types: {Excerpt.List(unknown)}; known: {string.Join(", ", PartnerEventTypes.All)}.", "eventTypes");
        return types;
    }

    /// <summary>
    /// Refuses a URL whose host is, or resolves to, an address webhooks may not reach (<see cref="WebhookNetworks.IsPublic"/>),
    /// unless <see cref="WebhookOptions.AllowPrivateNetworks"/>. The worker checks again the address it connects to
    /// (the host's DNS may change between now and then).
    /// </summary>
    public static async Task CheckReachableAsync(Uri url, WebhookOptions options, CancellationToken ct)
    {
        if (options.AllowPrivateNetworks) return;
        IPAddress[] addresses;
        if (IPAddress.TryParse(url.DnsSafeHost, out var literal)) addresses = [literal];
        else
        {
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
                timeout.CancelAfter(TimeSpan.FromSeconds(5));
                addresses = await Dns.GetHostAddressesAsync(url.DnsSafeHost, timeout.Token);
            }
            catch (Exception e) when (e is SocketException or OperationCanceledException && !ct.IsCancellationRequested)
            {
                throw new RuleViolation("WEBHOOK_HOST_UNRESOLVED", $"The URL's host {Excerpt.Quote(url.Host)} does not resolve.", Field);
            }
        }
        Rule.Check(addresses.Length > 0, "WEBHOOK_HOST_UNRESOLVED", $"The URL's host {Excerpt.Quote(url.Host)} does not resolve.", Field);
        Rule.Check(addresses.All(WebhookNetworks.IsPublic), "WEBHOOK_URL_NOT_PUBLIC",
            "The URL leads to a loopback, private, link-local, shared or multicast address: webhooks only go to the public internet.", Field);
    }

    private const string Invalid = "INVALID_WEBHOOK_URL";
    private const string Field = "url";
}

/// <summary>The addresses webhooks may reach (SSRF): public unicast ones only.</summary>
public static class WebhookNetworks
{
    /// <summary>
    /// False for loopback, unspecified, RFC 1918 private, CGNAT (100.64/10), link-local (169.254/16, fe80::/10),
    /// ULA (fc00::/7), site-local, multicast, broadcast, reserved, benchmarking and documentation ranges, and for
    /// IPv6 forms that embed such an IPv4 address (mapped, compatible, NAT64, 6to4).
    /// </summary>
    public static bool IsPublic(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        var b = address.GetAddressBytes();
        if (address.AddressFamily == AddressFamily.InterNetwork) return IsPublicV4(b);
        if (address.AddressFamily != AddressFamily.InterNetworkV6) return false;
        if (b.Take(12).All(x => x == 0)) return IsPublicV4(b[12..]); // ::, ::1 and IPv4-compatible ::a.b.c.d
        if (b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xff && b[3] == 0x9b) return IsPublicV4(b[12..]); // NAT64 64:ff9b::/96
        if (b[0] == 0x20 && b[1] == 0x02) return IsPublicV4(b[2..6]); // 6to4 2002::/16
        if ((b[0] & 0xfe) == 0xfc) return false; // ULA fc00::/7
        if (b[0] == 0xfe && (b[1] & 0x80) == 0x80) return false; // link-local fe80::/10, site-local fec0::/10
        if (b[0] == 0xff) return false; // multicast
        if (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0d && b[3] == 0xb8) return false; // documentation 2001:db8::/32
        return true;
    }

    private static bool IsPublicV4(byte[] b) => !(
        b[0] is 0 or 10 or 127 // "this network", private, loopback
        || b[0] == 100 && b[1] is >= 64 and <= 127 // CGNAT 100.64/10
        || b[0] == 169 && b[1] == 254 // link-local (cloud metadata)
        || b[0] == 172 && b[1] is >= 16 and <= 31 // private
        || b[0] == 192 && b[1] == 168 // private
        || b[0] == 192 && b[1] == 0 && b[2] is 0 or 2 // IETF protocol assignments, TEST-NET-1
        || b[0] == 198 && b[1] is 18 or 19 // benchmarking
        || b[0] == 198 && b[1] == 51 && b[2] == 100 // TEST-NET-2
        || b[0] == 203 && b[1] == 0 && b[2] == 113 // TEST-NET-3
        || b[0] >= 224); // multicast, reserved, broadcast
}
