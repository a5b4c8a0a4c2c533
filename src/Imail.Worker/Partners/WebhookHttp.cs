using System.Net;
using System.Net.Sockets;
using Imail.Domain.Partners;
using Microsoft.Extensions.Options;

namespace Imail.Worker.Partners;

/// <summary>
/// The one HTTP client webhooks go out through. Its connections are opened by <see cref="ConnectAsync"/>, which
/// checks the address it actually connects to (SSRF, DNS rebinding: a host that resolved to a public address at
/// registration may resolve to 127.0.0.1 now). No proxy (it would be the address connected to), no redirects (a
/// 3xx is an answer, not a new target), no cookies.
/// </summary>
public sealed class WebhookHttp : IDisposable
{
    private readonly IOptionsMonitor<WebhookOptions> _options;

    public WebhookHttp(IOptionsMonitor<WebhookOptions> options)
    {
        _options = options;
        Client = new HttpClient(new SocketsHttpHandler
        {
            ConnectCallback = ConnectAsync,
            UseProxy = false,
            AllowAutoRedirect = false,
            UseCookies = false,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            ConnectTimeout = TimeSpan.FromSeconds(10),
        })
        {
            // Each request has its own deadline (WebhookOptions.RequestTimeout).
            Timeout = Timeout.InfiniteTimeSpan,
        };
        Client.DefaultRequestHeaders.UserAgent.ParseAdd("Imail-Webhooks/1");
    }

    public HttpClient Client { get; }

    private async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken ct)
    {
        var host = context.DnsEndPoint.Host;
        var addresses = IPAddress.TryParse(host.Trim('[', ']'), out var literal) ? [literal] : await Dns.GetHostAddressesAsync(host, ct);
        var allowed = _options.CurrentValue.AllowPrivateNetworks ? addresses : Array.FindAll(addresses, WebhookNetworks.IsPublic);
        if (allowed.Length == 0)
            throw new WebhookTargetRefusedException($"Refused to connect: {host} resolves to {string.Join(", ", addresses.Take(3))}, "
                + "a loopback, private, link-local, shared or multicast address (Imail:Webhooks:AllowPrivateNetworks is false).");
        Exception? last = null;
        foreach (var address in allowed)
        {
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(new IPEndPoint(address, context.DnsEndPoint.Port), ct);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch (SocketException e)
            {
                socket.Dispose();
                last = e;
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }
        throw last!;
    }

    public void Dispose() => Client.Dispose();
}

/// <summary>The address a webhook would connect to is not one webhooks may reach.</summary>
public sealed class WebhookTargetRefusedException(string message) : Exception(message);
