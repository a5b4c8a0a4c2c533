using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Imail.Api.Partners;
using Imail.Api.Tests.Transport;
using Imail.Domain.Partners;
using Imail.Testing;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace Imail.Api.Tests.Partners;

/// <summary>An API replica on a real loopback port; on a database of its own, or on another replica's.</summary>
public class LoopbackReplica : ImailApiFactory
{
    public LoopbackReplica() { }

    internal LoopbackReplica(string database) => Database = database;

    public string GraphQLUrl { get; private set; } = "";

    public Uri WebSocketUri => new(GraphQLUrl.Replace("http://", "ws://"));

    public PartnerEventBackplane Backplane => Services.GetRequiredService<PartnerEventBackplane>();

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        UseKestrel(0);
        StartServer();
        var address = Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        GraphQLUrl = address.Replace("://[::]", "://127.0.0.1").Replace("://localhost", "://127.0.0.1").TrimEnd('/') + "/graphql";
    }

    public string PartnerToken() => Token(Imail.Api.Auth.Roles.Partner, "partner-test");

    /// <summary>Enqueues a test event through the outbox, as a change would, and returns its id.</summary>
    public async Task<Guid> EnqueueEventAsync(string number) => await ExecuteDbAsync(async db =>
    {
        var message = db.EnqueuePartnerEvent(PartnerEvents.PolicyVersionPublished, new { number }, Clock.GetUtcNow());
        await db.SaveChangesAsync();
        return message.Id;
    });

    /// <summary>Waits until this replica has <paramref name="count"/> live subscribers.</summary>
    public Task WaitForSubscribersAsync(int count) =>
        Eventually.Async(() => Task.FromResult(Backplane.LiveSubscribers), n => n >= count, $"{count} live subscribers on {GraphQLUrl}");
}

/// <summary>One API replica with a worker relay (the production partner-event sender) on its database.</summary>
public sealed class SubscriptionApi : LoopbackReplica
{
    public RelayHost Relay { get; private set; } = null!;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        Relay = await StartRelayAsync(ConnectionString, Clock);
    }

    public static Task<RelayHost> StartRelayAsync(string database, TimeProvider clock) => RelayHost.StartAsync(database, clock, new Dictionary<string, string?>
    {
        // Partner events only: no e-mail is sent, but the sender wants an address.
        ["Imail:Smtp:Host"] = "127.0.0.1",
        ["Imail:Smtp:Port"] = "2525",
    });

    public override async Task DisposeAsync()
    {
        await Relay.DisposeAsync();
        await base.DisposeAsync();
    }
}

/// <summary>A reference client (graphql-ws or graphql-sse) in a Node process; each result it receives is one JSON line.</summary>
public sealed class NodeSubscriber : IAsyncDisposable
{
    private readonly Process _process;
    private readonly Channel<JsonObject> _lines = Channel.CreateUnbounded<JsonObject>();
    private readonly StringBuilder _stderr = new();

    private NodeSubscriber(Process process)
    {
        _process = process;
        _process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null) _lines.Writer.TryComplete();
            else if (e.Data.Length > 0) _lines.Writer.TryWrite(JsonNode.Parse(e.Data)!.AsObject());
        };
        _process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null) lock (_stderr) _stderr.AppendLine(e.Data);
        };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public static async Task<NodeSubscriber> StartAsync(string transport, string url, string token, int count, string? after = null)
    {
        await AuditScripts.EnsureInstalledAsync();
        return new NodeSubscriber(AuditScripts.Start("node", $"subscribe.mjs {transport} {url} {token} {count} {after}".TrimEnd()));
    }

    /// <summary>The next result the client printed.</summary>
    public async Task<JsonObject> NextAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        try
        {
            return await _lines.Reader.ReadAsync(timeout.Token);
        }
        catch (Exception e) when (e is OperationCanceledException or ChannelClosedException)
        {
            string stderr;
            lock (_stderr) stderr = _stderr.ToString();
            throw new TimeoutException($"The Node client printed nothing more (exited: {_process.HasExited}); stderr: {stderr}");
        }
    }

    /// <summary>The next partner event, failing on anything else.</summary>
    public async Task<JsonObject> NextEventAsync()
    {
        var line = await NextAsync();
        Assert.True(line["data"]?["partnerEvents"] is JsonObject, $"Expected an event, got {line.ToJsonString()}");
        return line["data"]!["partnerEvents"]!.AsObject();
    }

    public async Task<int> ExitCodeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await _process.WaitForExitAsync(timeout.Token);
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
        _process.Dispose();
    }
}

/// <summary>A raw <c>graphql-transport-ws</c> client: the protocol's misuses, message by message.</summary>
public sealed class RawSocket : IAsyncDisposable
{
    private readonly ClientWebSocket _socket = new();

    public WebSocket Socket => _socket;

    public static async Task<RawSocket> ConnectAsync(Uri uri, string? subProtocol = "graphql-transport-ws", string? authorization = null)
    {
        var raw = new RawSocket();
        if (subProtocol is not null) raw._socket.Options.AddSubProtocol(subProtocol);
        if (authorization is not null) raw._socket.Options.SetRequestHeader("Authorization", authorization);
        await raw._socket.ConnectAsync(uri, CancellationToken.None);
        return raw;
    }

    public Task SendAsync(string json) => _socket.SendAsync(Encoding.UTF8.GetBytes(json), WebSocketMessageType.Text, true, CancellationToken.None);

    public async Task InitAsync(string? token)
    {
        await SendAsync(token is null ? """{"type":"connection_init"}""" : $$$"""{"type":"connection_init","payload":{"authorization":"Bearer {{{token}}}"}}""");
        var ack = await ReceiveAsync();
        Assert.Equal("connection_ack", ack?["type"]?.GetValue<string>());
    }

    /// <summary>The next message, or null when the server closed the connection (see <see cref="ClosedAsync"/>).</summary>
    public async Task<JsonObject?> ReceiveAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        var buffer = new byte[64 * 1024];
        var text = new StringBuilder();
        while (true)
        {
            var received = await _socket.ReceiveAsync(buffer, timeout.Token);
            if (received.MessageType == WebSocketMessageType.Close) return null;
            text.Append(Encoding.UTF8.GetString(buffer, 0, received.Count));
            if (received.EndOfMessage) return JsonNode.Parse(text.ToString())!.AsObject();
        }
    }

    /// <summary>Reads until the server closes, and returns its close code and reason.</summary>
    public async Task<(int Code, string? Reason)> ClosedAsync()
    {
        while (await ReceiveAsync() is { } message)
            Assert.Fail($"Expected the connection to close, got {message.ToJsonString()}");
        return ((int)_socket.CloseStatus!, _socket.CloseStatusDescription);
    }

    public async ValueTask DisposeAsync()
    {
        if (_socket.State == WebSocketState.Open)
        {
            try
            {
                await _socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "", new CancellationTokenSource(TimeSpan.FromSeconds(2)).Token);
            }
            catch (Exception e) when (e is WebSocketException or OperationCanceledException)
            {
            }
        }
        _socket.Dispose();
    }
}
