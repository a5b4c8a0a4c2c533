using System.Text;
using System.Threading.Channels;
using GraphQL;
using GraphQL.Transport;
using GraphQL.Validation;
using Imail.Api.Partners;
using Imail.Domain.Common;
using Microsoft.Extensions.Options;

namespace Imail.Api.GraphQL.Http;

/// <summary>
/// <c>/graphql</c> with <c>Accept: text/event-stream</c>: GraphQL over Server-Sent Events in the
/// "distinct connections" mode of graphql-sse's PROTOCOL.md. One operation per request (POST, or GET
/// without mutations), its results as <c>event: next</c>, then <c>event: complete</c>; a comment line
/// every <see cref="SubscriptionOptions.KeepAliveInterval"/> while idle. The client ends a subscription by
/// closing the request.
/// </summary>
/// <remarks>
/// A request that is not a well-formed GraphQL-over-HTTP request (method, media type, JSON, size, a
/// token that does not verify) is refused as the HTTP endpoint refuses it, with a 4xx and a JSON body,
/// before any stream starts. Once the request is well-formed the stream starts, and what GraphQL
/// reports before execution (syntax, validation, access) comes as a <c>next</c> event holding the
/// errors, then <c>complete</c>: the protocol asks for that, since an event-stream client cannot read a
/// 400's body.
/// </remarks>
internal sealed class GraphQLSseEndpoint(
    GraphQLRunner runner, IGraphQLTextSerializer serializer, IOptions<SubscriptionOptions> options, TimeProvider clock,
    IHostApplicationLifetime lifetime, ILogger<GraphQLSseEndpoint> logger)
{
    public const string EventStream = "text/event-stream";

    private static readonly IValidationRule[] GetRules = GraphQLRunner.Rules(HttpOperationRule.StreamGet);
    private static readonly IValidationRule[] PostRules = GraphQLRunner.Rules(HttpOperationRule.Stream);
    private static readonly byte[] KeepAlive = ":\n\n"u8.ToArray();
    private static readonly byte[] CompleteEvent = "event: complete\ndata:\n\n"u8.ToArray();

    private readonly SubscriptionOptions _options = options.Value;

    /// <summary>Whether the request asks for an event stream (and so comes here rather than to the JSON endpoint).</summary>
    public static bool Wants(HttpRequest request) =>
        (HttpMethods.IsPost(request.Method) || HttpMethods.IsGet(request.Method))
        && request.Headers.Accept.Any(a => a is not null && a.Contains(EventStream, StringComparison.OrdinalIgnoreCase));

    public async Task HandleAsync(HttpContext http)
    {
        var request = http.Request;
        var isGet = HttpMethods.IsGet(request.Method);
        GraphQLRequest graphQLRequest;
        try
        {
            if (!isGet && !MediaTypes.IsJsonRequest(request.ContentType))
                throw new RequestRefusedException(StatusCodes.Status415UnsupportedMediaType, TransportErrorCodes.UnsupportedMediaType,
                    $"Send the request as {MediaTypes.Json} (UTF-8); got {(string.IsNullOrEmpty(request.ContentType) ? "no Content-Type" : Excerpt.Quote(request.ContentType))}.");
            graphQLRequest = isGet
                ? RequestReader.FromQueryString(request.Query)
                : await RequestReader.FromBodyAsync(request, runner.Options.MaxRequestBytes, http.RequestAborted);
            runner.CheckQuery(graphQLRequest);
        }
        catch (RequestRefusedException refused)
        {
            await ErrorResponse.WriteAsync(http, refused.Status, new TransportError(refused.Code, refused.Message));
            return;
        }
        catch (BadHttpRequestException e)
        {
            await ErrorResponse.WriteAsync(http, e.StatusCode, new TransportError(
                e.StatusCode == StatusCodes.Status413PayloadTooLarge ? TransportErrorCodes.RequestTooLarge : TransportErrorCodes.InvalidRequest, e.Message));
            return;
        }
        catch (OperationCanceledException) when (http.RequestAborted.IsCancellationRequested)
        {
            return;
        }

        var response = http.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "text/event-stream; charset=utf-8";
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no"; // nginx: pass events on as they come
        using var stopping = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted, lifetime.ApplicationStopping);
        var ct = stopping.Token;
        try
        {
            await response.Body.FlushAsync(ct);
            var result = await runner.ExecuteAsync(graphQLRequest, isGet ? GetRules : PostRules, http, http.User, ct);
            if (result.Streams is not { Count: > 0 } streams)
            {
                await WriteAsync(response, Next(result), ct);
                await response.Body.WriteAsync(CompleteEvent, ct);
                return;
            }
            await StreamAsync(response, streams.Values.First(), ct);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // The client closed the stream (how it ends a subscription), or the server is stopping.
        }
        catch (IOException e) when (http.RequestAborted.IsCancellationRequested)
        {
            logger.LogDebug(e, "GraphQL SSE client went away");
        }
        catch (Exception e)
        {
            logger.LogError(e, "GraphQL SSE request failed");
            try
            {
                await WriteAsync(response, Next(new ExecutionResult(new ExecutionError("The server failed to process the request.") { Code = TransportErrorCodes.InternalServerError })), CancellationToken.None);
                await response.Body.WriteAsync(CompleteEvent, CancellationToken.None);
            }
            catch (Exception)
            {
            }
        }
    }

    private async Task StreamAsync(HttpResponse response, IObservable<ExecutionResult> stream, CancellationToken ct)
    {
        var events = Channel.CreateUnbounded<string?>(new UnboundedChannelOptions { SingleReader = true });
        var pending = 0;
        var observer = new Observer(events, () => Interlocked.Increment(ref pending) > _options.MaxPendingMessages, Next);
        using var subscription = stream.Subscribe(observer);
        using var idle = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var keepAlive = KeepAliveAsync(events, idle.Token);
        try
        {
            await foreach (var text in events.Reader.ReadAllAsync(ct))
            {
                if (text is null)
                {
                    await response.Body.WriteAsync(KeepAlive, ct);
                    await response.Body.FlushAsync(ct);
                    continue;
                }
                await WriteAsync(response, text, ct);
                Interlocked.Decrement(ref pending);
            }
            await response.Body.WriteAsync(CompleteEvent, ct);
            await response.Body.FlushAsync(ct);
        }
        finally
        {
            await idle.CancelAsync();
            await keepAlive;
        }
    }

    private async Task KeepAliveAsync(Channel<string?> events, CancellationToken ct)
    {
        try
        {
            while (true)
            {
                await Task.Delay(_options.KeepAliveInterval, clock, ct);
                events.Writer.TryWrite(null);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private string Next(ExecutionResult result) => "event: next\ndata: " + serializer.Serialize(result) + "\n\n";

    private static async Task WriteAsync(HttpResponse response, string text, CancellationToken ct)
    {
        await response.Body.WriteAsync(Encoding.UTF8.GetBytes(text), ct);
        await response.Body.FlushAsync(ct);
    }

    /// <summary>The stream's results as events; a stream that ends with an error sends it as a last <c>next</c>.</summary>
    private sealed class Observer(Channel<string?> events, Func<bool> overflows, Func<ExecutionResult, string> next) : IObserver<ExecutionResult>
    {
        private int _ended;

        public void OnNext(ExecutionResult value)
        {
            if (Volatile.Read(ref _ended) != 0) return;
            if (overflows())
            {
                End(new ExecutionResult(new SubscriberTooSlowException()));
                return;
            }
            events.Writer.TryWrite(next(value));
        }

        public void OnError(Exception error) =>
            End(new ExecutionResult(error as ExecutionError ?? new ExecutionError("The stream failed.", error) { Code = TransportErrorCodes.InternalServerError }));

        public void OnCompleted()
        {
            if (Interlocked.Exchange(ref _ended, 1) == 0) events.Writer.TryComplete();
        }

        private void End(ExecutionResult last)
        {
            if (Interlocked.Exchange(ref _ended, 1) != 0) return;
            events.Writer.TryWrite(next(last));
            events.Writer.TryComplete();
        }
    }
}
