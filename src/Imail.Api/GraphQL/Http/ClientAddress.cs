using System.Net;

namespace Imail.Api.GraphQL.Http;

/// <summary>
/// Who is calling, as far as the network says: the partition of per-address rate limits. The
/// connection's remote address, so behind a reverse proxy the host must be told to trust its
/// <c>X-Forwarded-For</c> (ASP.NET Core's forwarded headers, see docs/graphql-over-http.md).
/// </summary>
public static class ClientAddress
{
    private const string Key = "imail:client-address";

    /// <summary>
    /// The partition of requests that come with no address: TestServer's, and a Unix socket's when
    /// no forwarded header names the client. They share one budget rather than none, so a
    /// deployment that loses addresses is throttled as a whole and shows it, instead of running unlimited.
    /// </summary>
    public const string Unknown = "unknown";

    /// <summary>
    /// IPv4 as is (IPv4-mapped IPv6 included); IPv6 by its /64 prefix, the block one subscriber
    /// gets, since a host can take a new address inside it for every request.
    /// </summary>
    public static string Of(IPAddress? address)
    {
        if (address is null) return Unknown;
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        if (address.AddressFamily != System.Net.Sockets.AddressFamily.InterNetworkV6) return address.ToString();
        var bytes = address.GetAddressBytes();
        Array.Clear(bytes, 8, 8);
        return new IPAddress(bytes) + "/64";
    }

    public static string Of(HttpContext http) => Of(http.Connection.RemoteIpAddress);

    /// <summary>Puts the request's client address where the GraphQL pipeline finds it.</summary>
    public static void Put(IDictionary<string, object?> userContext, HttpContext http) => userContext[Key] = Of(http);

    /// <summary>The address a transport put in the user context, else <see cref="Unknown"/>.</summary>
    public static string From(IDictionary<string, object?> userContext) =>
        userContext.TryGetValue(Key, out var value) && value is string address ? address : Unknown;
}
