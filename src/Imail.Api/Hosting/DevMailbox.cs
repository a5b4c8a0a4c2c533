using System.Buffers;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using MimeKit;
using MimeKit.Utils;
using SmtpServer;
using SmtpServer.Protocol;
using SmtpServer.Storage;

namespace Imail.Api.Hosting;

/// <summary>
/// Development only, when no <c>Imail:Smtp:Host</c> is configured: an SMTP server inside the API
/// on a free loopback port, which the relay sends to; every message is kept as an <c>.eml</c>
/// file under <c>.local/mail/</c> and shown at <c>/dev/mail</c>.
/// </summary>
public sealed partial class DevMailbox(string folder, int port, ILogger<DevMailbox> log) : IHostedService
{
    public const string Path = "/dev/mail";
    private CancellationTokenSource? _running;
    private Task? _server;

    public string Folder { get; } = folder;
    public int Port { get; } = port;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Folder);
        var options = new SmtpServerOptionsBuilder()
            .ServerName("imail-dev-mailbox")
            .Endpoint(e => e.Endpoint(new IPEndPoint(IPAddress.Loopback, Port)))
            .Build();
        var listeners = new NoDelaySmtpListenerFactory();
        var services = new SmtpServer.ComponentModel.ServiceProvider();
        services.Add(listeners);
        services.Add(new Store(this));
        _running = new CancellationTokenSource();
        _server = new SmtpServer.SmtpServer(options, services).StartAsync(_running.Token);
        if (await Task.WhenAny(listeners.Started, _server) == _server) await _server;
        Started(Port, Folder, Path);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_running is null) return;
        await _running.CancelAsync();
        try
        {
            await _server!.WaitAsync(TimeSpan.FromSeconds(5), cancellationToken);
        }
        catch (Exception e) when (e is OperationCanceledException or TimeoutException)
        {
        }
    }

    /// <summary>The kept messages, newest first (headers only).</summary>
    public IReadOnlyList<DevMailboxEntry> List(int max = 200)
    {
        if (!Directory.Exists(Folder)) return [];
        return new DirectoryInfo(Folder).EnumerateFiles("*.eml")
            .OrderByDescending(f => f.Name, StringComparer.Ordinal)
            .Take(max)
            .Select(f =>
            {
                using var stream = f.OpenRead();
                var headers = HeaderList.Load(stream);
                return new DevMailboxEntry(f.Name,
                    DateUtils.TryParse(headers[HeaderId.Date], out var date) ? date : new DateTimeOffset(f.LastWriteTimeUtc),
                    headers[HeaderId.To] ?? "", headers[HeaderId.Subject] ?? "");
            })
            .ToList();
    }

    /// <summary>One kept message by file name, or null (names are checked: no path ever leaves the folder).</summary>
    public MimeMessage? Load(string name) =>
        FileName().IsMatch(name) && File.Exists(System.IO.Path.Combine(Folder, name))
            ? MimeMessage.Load(System.IO.Path.Combine(Folder, name))
            : null;

    public string? RawPath(string name) =>
        FileName().IsMatch(name) && File.Exists(System.IO.Path.Combine(Folder, name)) ? System.IO.Path.Combine(Folder, name) : null;

    private async Task SaveAsync(ReadOnlySequence<byte> buffer, CancellationToken ct)
    {
        // Sortable by name: the newest last; a short random part keeps simultaneous messages apart.
        var name = $"{DateTime.UtcNow:yyyyMMdd-HHmmss-fff}-{Guid.NewGuid().ToString("N")[..8]}.eml";
        await using var file = File.Create(System.IO.Path.Combine(Folder, name));
        foreach (var segment in buffer) await file.WriteAsync(segment, ct);
    }

    /// <summary>A free loopback port, for the mailbox to listen on and the relay to send to.</summary>
    public static int FreePort()
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return port;
    }

    [GeneratedRegex(@"^[0-9A-Za-z-]+\.eml$")]
    private static partial Regex FileName();

    [LoggerMessage(Level = LogLevel.Information, Message = "Development mailbox: SMTP on 127.0.0.1:{Port}, e-mails kept in {Folder}, readable at {Path}")]
    private partial void Started(int port, string folder, string path);

    private sealed class Store(DevMailbox mailbox) : MessageStore
    {
        public override async Task<SmtpResponse> SaveAsync(ISessionContext context, IMessageTransaction transaction,
            ReadOnlySequence<byte> buffer, CancellationToken cancellationToken)
        {
            await mailbox.SaveAsync(buffer, cancellationToken);
            return SmtpResponse.Ok;
        }
    }
}

public sealed record DevMailboxEntry(string Name, DateTimeOffset Date, string To, string Subject);
