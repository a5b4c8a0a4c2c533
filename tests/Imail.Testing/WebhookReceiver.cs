using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using StandardWebhooks;
using StandardWebhooks.Diagnostics;

namespace Imail.Testing;

/// <summary>
/// A partner's webhook receiver: a small Kestrel app on a loopback port in the test process. It records every
/// request (body and Standard Webhooks headers) and answers each path as the test says: a status code, or a
/// hang until the sender gives up.
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    /// <summary>What to answer the n-th request (from 1) to a path; a negative status hangs until the sender hangs up.</summary>
    public delegate int Answer(int attempt);

    /// <summary>Hang until the sender gives up.</summary>
    public const int Hang = -1;

    private readonly ConcurrentQueue<ReceivedWebhook> _received = new();
    private readonly ConcurrentDictionary<string, Answer> _answers = new();
    private readonly ConcurrentDictionary<string, int> _attempts = new();
    private WebApplication _app = null!;

    public int Port { get; private set; }

    public IReadOnlyList<ReceivedWebhook> Received => _received.ToArray();

    /// <summary>A fresh path on this receiver, answered by <paramref name="answer"/> (200 by default).</summary>
    public string Url(Answer? answer = null)
    {
        var path = "/hooks/" + Guid.NewGuid().ToString("N");
        _answers[path] = answer ?? (_ => 200);
        return $"http://127.0.0.1:{Port}{path}";
    }

    public static async Task<WebhookReceiver> StartAsync()
    {
        var receiver = new WebhookReceiver();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(System.Net.IPAddress.Loopback, 0));
        var app = builder.Build();
        app.Run(receiver.HandleAsync);
        await app.StartAsync();
        receiver._app = app;
        receiver.Port = new Uri(app.Urls.First()).Port;
        return receiver;
    }

    private async Task HandleAsync(HttpContext context)
    {
        var path = context.Request.Path.Value ?? "";
        using var reader = new StreamReader(context.Request.Body);
        var body = await reader.ReadToEndAsync();
        var headers = new HeaderDictionary();
        foreach (var name in new[] { "webhook-id", "webhook-timestamp", "webhook-signature", "content-type" })
            if (context.Request.Headers.TryGetValue(name, out var value)) headers[name] = value;
        var attempt = _attempts.AddOrUpdate(path, 1, (_, n) => n + 1);
        _received.Enqueue(new ReceivedWebhook(path, body, headers, attempt, Stopwatch.GetTimestamp()));
        var status = _answers.TryGetValue(path, out var answer) ? answer(attempt) : 404;
        if (status < 0)
        {
            try
            {
                await Task.Delay(Timeout.Infinite, context.RequestAborted);
            }
            catch (OperationCanceledException)
            {
            }
            return;
        }
        context.Response.StatusCode = status;
    }

    public async Task<ReceivedWebhook> WaitForAsync(Func<ReceivedWebhook, bool> match, TimeSpan? timeout = null, string what = "a webhook")
    {
        var limit = Stopwatch.StartNew();
        while (true)
        {
            if (Received.FirstOrDefault(match) is { } found) return found;
            if (limit.Elapsed > (timeout ?? TimeSpan.FromSeconds(15)))
                throw new TimeoutException($"No {what} within {(timeout ?? TimeSpan.FromSeconds(15)).TotalSeconds:0.#} s; received: {string.Join(", ", Received.Select(r => r.Path))}");
            await Task.Delay(10);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

/// <param name="Arrived">Stopwatch timestamp of its arrival.</param>
public sealed record ReceivedWebhook(string Path, string Body, IHeaderDictionary Headers, int Attempt, long Arrived)
{
    public string Id => Headers["webhook-id"].ToString();

    /// <summary>
    /// Whether one of its signatures verifies with <paramref name="secret"/>, as the spec says a receiver checks them: each
    /// signature of <c>webhook-signature</c> through the StandardWebhooks package's <c>Verify</c> (which, in 1.1.2, looks
    /// at the first signature of the header only: see <see cref="VerifiesWithThePackageAsIs"/>).
    /// </summary>
    public bool VerifiesWith(string secret) =>
        Headers["webhook-signature"].ToString().Split(' ').Any(signature =>
        {
            var one = new HeaderDictionary();
            foreach (var (name, value) in Headers) one[name] = value;
            one["webhook-signature"] = signature;
            return Verify(secret, one);
        });

    /// <summary>Whether the StandardWebhooks package's <c>Verify</c>, given the headers as they came, accepts it.</summary>
    public bool VerifiesWithThePackageAsIs(string secret) => Verify(secret, Headers);

    private bool Verify(string secret, IHeaderDictionary headers)
    {
        try
        {
            new StandardWebhook(secret).Verify(Body, headers);
            return true;
        }
        catch (WebhookVerificationException)
        {
            return false;
        }
    }

    public bool IsFor(string url) => url.EndsWith(Path, StringComparison.Ordinal);
}
