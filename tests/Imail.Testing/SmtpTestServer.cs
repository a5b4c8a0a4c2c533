using System.Buffers;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using MimeKit;
using SmtpServer;
using SmtpServer.Protocol;
using SmtpServer.Storage;

namespace Imail.Testing;

/// <summary>
/// A real SMTP server in the test process (the <c>SmtpServer</c> package) on a loopback port.
/// It records every message it accepts with its raw MIME, and can be told to refuse the next
/// messages with a 4xx/5xx reply, to answer slowly, to stall, or to go down and come back.
/// </summary>
public sealed class SmtpTestServer : IAsyncDisposable
{
    private readonly ConcurrentQueue<ReceivedEmail> _received = new();
    private readonly ConcurrentQueue<SmtpResponse> _scripted = new();
    private SmtpResponse? _always;
    private TaskCompletionSource? _stall;
    private CancellationTokenSource? _running;
    private Task? _serverTask;
    private int _sessions;
    private int _refused;
    private int _arrivals;

    public string Host => "127.0.0.1";
    public int Port { get; private set; }

    /// <summary>Messages accepted (250 after DATA), in arrival order.</summary>
    public IReadOnlyList<ReceivedEmail> Received => _received.ToArray();

    /// <summary>SMTP sessions (TCP connections) opened so far.</summary>
    public int Sessions => Volatile.Read(ref _sessions);

    /// <summary>Messages answered with a refusal.</summary>
    public int Refused => Volatile.Read(ref _refused);

    /// <summary>Called with each message's arrival number (from 1) before it is answered: lets a test act mid-delivery.</summary>
    public Action<int>? OnMessage { get; set; }

    /// <summary>How long to wait before answering each message (a slow server).</summary>
    public TimeSpan Delay { get; set; }

    /// <summary>Settings for the relay under test: <c>Imail:Smtp:*</c> pointing here.</summary>
    public IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Imail:Smtp:Host"] = Host,
        ["Imail:Smtp:Port"] = Port.ToString(),
        ["Imail:Smtp:Security"] = "None",
    };

    public static async Task<SmtpTestServer> StartAsync(int port = 0)
    {
        var server = new SmtpTestServer();
        await server.ListenAsync(port);
        return server;
    }

    /// <summary>The next <paramref name="count"/> messages are refused with this reply (e.g. 451, 550); <c>{to}</c> in the text quotes the recipient, as servers do.</summary>
    public void RefuseNext(int count, int code, string text = "Refused by the test")
    {
        for (var i = 0; i < count; i++) _scripted.Enqueue(new SmtpResponse((SmtpReplyCode)code, text));
    }

    /// <summary>Every message is refused with this reply until <see cref="AcceptAll"/>.</summary>
    public void RefuseAll(int code, string text = "Refused by the test") => _always = new SmtpResponse((SmtpReplyCode)code, text);

    public void AcceptAll()
    {
        _always = null;
        _scripted.Clear();
    }

    /// <summary>Messages get no answer after their data until <see cref="Resume"/> (the client times out).</summary>
    public void Stall() => Interlocked.CompareExchange(ref _stall, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously), null);

    public void Resume() => Interlocked.Exchange(ref _stall, null)?.TrySetResult();

    /// <summary>The server goes away: listener closed, open sessions dropped (connections refused until <see cref="RestartAsync"/>).</summary>
    public async Task StopAsync()
    {
        if (_running is null) return;
        await _running.CancelAsync();
        try
        {
            await _serverTask!.WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (OperationCanceledException)
        {
        }
        _running.Dispose();
        _running = null;
    }

    /// <summary>Listens again on the same port.</summary>
    public Task RestartAsync() => ListenAsync(Port);

    public void Clear() => _received.Clear();

    /// <summary>Waits (polling) until at least <paramref name="count"/> messages have been accepted.</summary>
    public async Task<IReadOnlyList<ReceivedEmail>> WaitForAsync(int count, TimeSpan? timeout = null)
    {
        var deadline = Stopwatch.StartNew();
        var limit = timeout ?? TimeSpan.FromSeconds(15);
        while (_received.Count < count)
        {
            if (deadline.Elapsed > limit)
                throw new TimeoutException($"The SMTP server received {_received.Count} of {count} messages within {limit.TotalSeconds:0.#} s ({Refused} refused).");
            await Task.Delay(10);
        }
        return Received;
    }

    /// <summary>Waits (polling) for a message that matches.</summary>
    public async Task<ReceivedEmail> WaitForAsync(Func<ReceivedEmail, bool> match, TimeSpan? timeout = null)
    {
        var deadline = Stopwatch.StartNew();
        var limit = timeout ?? TimeSpan.FromSeconds(15);
        while (true)
        {
            if (_received.FirstOrDefault(match) is { } found) return found;
            if (deadline.Elapsed > limit)
                throw new TimeoutException($"No matching message within {limit.TotalSeconds:0.#} s; received {_received.Count}, refused {Refused}.");
            await Task.Delay(10);
        }
    }

    public async ValueTask DisposeAsync()
    {
        Resume();
        await StopAsync();
    }

    private async Task ListenAsync(int port)
    {
        var options = new SmtpServerOptionsBuilder()
            .ServerName("smtp.test")
            .Endpoint(e => e.Endpoint(new IPEndPoint(IPAddress.Loopback, port)))
            .Build();
        var listeners = new Imail.Api.Hosting.NoDelaySmtpListenerFactory();
        var services = new SmtpServer.ComponentModel.ServiceProvider();
        services.Add(listeners);
        services.Add(new Store(this));
        var server = new SmtpServer.SmtpServer(options, services);
        server.SessionCreated += (_, _) => Interlocked.Increment(ref _sessions);
        _running = new CancellationTokenSource();
        _serverTask = server.StartAsync(_running.Token);
        var first = await Task.WhenAny(listeners.Started, _serverTask);
        if (first == _serverTask) await _serverTask; // failed to listen: throw why
        Port = (await listeners.Started).Port;
    }

    private async Task<SmtpResponse> OnMessageAsync(SmtpServer.IMessageTransaction transaction, ReadOnlySequence<byte> buffer, CancellationToken ct)
    {
        OnMessage?.Invoke(Interlocked.Increment(ref _arrivals));
        if (Delay > TimeSpan.Zero) await Task.Delay(Delay, ct);
        if (Volatile.Read(ref _stall) is { } stall) await stall.Task.WaitAsync(ct);
        if (_scripted.TryDequeue(out var scripted) || (scripted = _always) is not null)
        {
            Interlocked.Increment(ref _refused);
            var to = transaction.To.FirstOrDefault() is { } first ? $"{first.User}@{first.Host}" : "";
            return new SmtpResponse(scripted.ReplyCode, scripted.Message.Replace("{to}", to));
        }
        _received.Enqueue(new ReceivedEmail(
            $"{transaction.From.User}@{transaction.From.Host}",
            transaction.To.Select(t => $"{t.User}@{t.Host}").ToList(),
            buffer.ToArray(), DateTimeOffset.UtcNow, Stopwatch.GetTimestamp()));
        return SmtpResponse.Ok;
    }

    private sealed class Store(SmtpTestServer server) : MessageStore
    {
        public override Task<SmtpResponse> SaveAsync(SmtpServer.ISessionContext context, SmtpServer.IMessageTransaction transaction,
            ReadOnlySequence<byte> buffer, CancellationToken cancellationToken) =>
            server.OnMessageAsync(transaction, buffer, cancellationToken);
    }
}

/// <summary>A message as the SMTP server received it: envelope, raw MIME, and when (wall clock and <see cref="Stopwatch"/> timestamp).</summary>
public sealed record ReceivedEmail(string From, IReadOnlyList<string> To, byte[] Raw, DateTimeOffset ReceivedAt, long Timestamp)
{
    private MimeMessage? _message;

    public MimeMessage Message => _message ??= MimeMessage.Load(new MemoryStream(Raw));

    /// <summary>The Message-ID without angle brackets (MimeKit's form).</summary>
    public string? MessageId => Message.MessageId;

    public string RawText => System.Text.Encoding.UTF8.GetString(Raw);
}
