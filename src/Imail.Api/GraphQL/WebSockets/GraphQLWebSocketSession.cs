using System.Buffers;
using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Security.Claims;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using GraphQL;
using GraphQL.SystemTextJson;
using GraphQL.Transport;
using GraphQL.Validation;
using Imail.Api.Auth;
using Imail.Api.GraphQL.Http;
using Imail.Api.Lifecycle;
using Imail.Api.Partners;

namespace Imail.Api.GraphQL.WebSockets;

/// <summary>
/// One <c>graphql-transport-ws</c> connection: reads messages on the request's thread, runs each
/// operation on its own, and writes every outgoing message through one queue (a WebSocket takes
/// one writer at a time). An operation whose client reads slower than it produces is ended with
/// <c>SUBSCRIBER_TOO_SLOW</c> once <see cref="SubscriptionOptions.MaxPendingMessages"/> wait; the
/// others go on.
/// </summary>
internal sealed partial class GraphQLWebSocketSession(
    WebSocket socket, HttpContext http, GraphQLRunner runner, IGraphQLTextSerializer serializer, BearerTokens tokens,
    SignInRestrictions restrictions, AuthenticationRecorder recorder, SubscriptionOptions options, TimeProvider clock, ILogger logger)
{
    private static readonly IValidationRule[] Rules = GraphQLRunner.Rules(HttpOperationRule.Stream);
    private static readonly InputsJsonConverter InputsConverter = new();

    private readonly int _maxPending = options.MaxPendingMessages;
    private readonly Channel<Outgoing> _outgoing = Channel.CreateUnbounded<Outgoing>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ConcurrentDictionary<string, Operation> _operations = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _closed = new();
    private ClaimsPrincipal _user = http.User;
    private volatile bool _initReceived;
    private volatile bool _acknowledged;
    private int _closing;

    public async Task RunAsync(CancellationToken stop)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(stop, _closed.Token);
        var writing = WriteLoopAsync();
        var initTimeout = InitTimeoutAsync(linked.Token);
        var keepAlive = KeepAliveAsync(linked.Token);
        try
        {
            await ReadLoopAsync(linked.Token);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested && !_closed.IsCancellationRequested)
        {
            Close(WebSocketCloseStatus.EndpointUnavailable, "Server shutting down");
        }
        catch (OperationCanceledException) when (_closed.IsCancellationRequested)
        {
        }
        catch (WebSocketException e)
        {
            logger.LogDebug(e, "GraphQL WebSocket ended abruptly");
        }
        finally
        {
            foreach (var operation in _operations.Values) operation.End();
            _operations.Clear();
            _outgoing.Writer.TryComplete();
            try
            {
                await writing;
            }
            catch (Exception e) when (e is WebSocketException or OperationCanceledException or ObjectDisposedException)
            {
            }
            await _closed.CancelAsync();
            await Task.WhenAll(initTimeout, keepAlive);
        }
    }

    private async Task ReadLoopAsync(CancellationToken ct)
    {
        var buffer = new ArrayBufferWriter<byte>(4096);
        while (socket.State is WebSocketState.Open or WebSocketState.CloseSent)
        {
            buffer.ResetWrittenCount();
            ValueWebSocketReceiveResult received;
            do
            {
                received = await socket.ReceiveAsync(buffer.GetMemory(4096), ct);
                buffer.Advance(received.Count);
                if (buffer.WrittenCount > runner.Options.MaxRequestBytes)
                {
                    Close(WebSocketCloseStatus.MessageTooBig, $"Messages are at most {runner.Options.MaxRequestBytes} bytes");
                    return;
                }
            } while (!received.EndOfMessage && received.MessageType != WebSocketMessageType.Close);

            if (received.MessageType == WebSocketMessageType.Close)
            {
                // The client closes: answer in kind unless we closed first.
                Close(WebSocketCloseStatus.NormalClosure, "");
                return;
            }
            if (received.MessageType == WebSocketMessageType.Binary)
            {
                Close((WebSocketCloseStatus)CloseCodes.BadRequest, "Invalid message received: send JSON text messages");
                return;
            }
            await HandleAsync(buffer.WrittenMemory, ct);
            if (_closing != 0) return;
        }
    }

    private async Task HandleAsync(ReadOnlyMemory<byte> message, CancellationToken ct)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(message, new JsonDocumentOptions { MaxDepth = 64 });
        }
        catch (JsonException)
        {
            Close((WebSocketCloseStatus)CloseCodes.BadRequest, "Invalid message received: not JSON");
            return;
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("type", out var typeElement) || typeElement.ValueKind != JsonValueKind.String)
            {
                Close((WebSocketCloseStatus)CloseCodes.BadRequest, "Invalid message received: a JSON object with a \"type\" is expected");
                return;
            }
            var payload = root.TryGetProperty("payload", out var p) ? p : default;
            switch (typeElement.GetString())
            {
                case "connection_init":
                    await InitAsync(payload, ct);
                    break;
                case "ping":
                    Send(Message("pong", null, PayloadOf(payload)));
                    break;
                case "pong":
                    break;
                case "subscribe":
                    Subscribe(root, payload);
                    break;
                case "complete":
                    if (IdOf(root) is not { } completed)
                    {
                        Close((WebSocketCloseStatus)CloseCodes.BadRequest, "Invalid message received: \"complete\" needs an \"id\"");
                        return;
                    }
                    if (_operations.TryRemove(completed, out var operation)) operation.End(byClient: true);
                    break;
                default:
                    Close((WebSocketCloseStatus)CloseCodes.BadRequest, $"Invalid message received: unexpected type \"{Domain.Common.Excerpt.Shorten(typeElement.GetString()!)}\"");
                    break;
            }
        }
    }

    private async Task InitAsync(JsonElement payload, CancellationToken ct)
    {
        if (_initReceived)
        {
            Close((WebSocketCloseStatus)CloseCodes.TooManyInitialisationRequests, "Too many initialisation requests");
            return;
        }
        _initReceived = true;
        if (payload.ValueKind is not (JsonValueKind.Undefined or JsonValueKind.Null or JsonValueKind.Object))
        {
            Close((WebSocketCloseStatus)CloseCodes.BadRequest, "Invalid message received: the connection_init payload must be an object");
            return;
        }
        if (payload.ValueKind == JsonValueKind.Object && TokenOf(payload) is { } token)
        {
            if (token is not { ValueKind: JsonValueKind.String } || await tokens.ReadAsync(token.GetString()!) is not { } principal)
            {
                Close((WebSocketCloseStatus)CloseCodes.Forbidden, "Forbidden: the token is not valid for this API");
                return;
            }
            _user = principal;
        }
        if (CurrentUser.Id(_user) is { } userId)
        {
            // P11 and P9 as for any request: a restricted account is refused, a sign-in is recorded.
            if (await restrictions.IsRestrictedAsync(userId, ct))
            {
                Close((WebSocketCloseStatus)CloseCodes.Forbidden, "Forbidden: the account may not sign in");
                return;
            }
            await recorder.RecordAsync(_user, ct);
        }
        _acknowledged = true;
        Send(Message("connection_ack", null, null));
    }

    private static JsonElement? TokenOf(JsonElement payload)
    {
        foreach (var property in payload.EnumerateObject())
            if (property.NameEquals("authorization") || property.NameEquals("Authorization")) return property.Value;
        return null;
    }

    private void Subscribe(JsonElement root, JsonElement payload)
    {
        if (!_acknowledged)
        {
            Close((WebSocketCloseStatus)CloseCodes.Unauthorized, "Unauthorized");
            return;
        }
        if (IdOf(root) is not { } id)
        {
            Close((WebSocketCloseStatus)CloseCodes.BadRequest, "Invalid message received: \"subscribe\" needs a non-empty string \"id\"");
            return;
        }
        if (ReadRequest(payload) is not { } request)
        {
            Close((WebSocketCloseStatus)CloseCodes.BadRequest, "Invalid message received: \"subscribe\" needs a payload with a \"query\" string");
            return;
        }
        var operation = new Operation(id, CancellationTokenSource.CreateLinkedTokenSource(_closed.Token));
        if (!_operations.TryAdd(id, operation))
        {
            operation.End();
            Close((WebSocketCloseStatus)CloseCodes.SubscriberAlreadyExists, $"Subscriber for {Domain.Common.Excerpt.Shorten(id)} already exists");
            return;
        }
        _ = ExecuteAsync(operation, request);
    }

    private static string? IdOf(JsonElement root) =>
        root.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.String && id.GetString() is { Length: > 0 } text ? text : null;

    private static GraphQLRequest? ReadRequest(JsonElement payload)
    {
        if (payload.ValueKind != JsonValueKind.Object
            || !payload.TryGetProperty("query", out var query) || query.ValueKind != JsonValueKind.String) return null;
        try
        {
            return new GraphQLRequest
            {
                Query = query.GetString(),
                OperationName = payload.TryGetProperty("operationName", out var name) && name.ValueKind == JsonValueKind.String ? name.GetString() : null,
                Variables = Map(payload, "variables"),
                Extensions = Map(payload, "extensions"),
            };
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException or OverflowException or ArgumentException)
        {
            return null;
        }

        static Inputs? Map(JsonElement payload, string name)
        {
            if (!payload.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null) return null;
            if (value.ValueKind != JsonValueKind.Object) throw new JsonException($"\"{name}\" must be an object.");
            var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(value.GetRawText()));
            reader.Read();
            return InputsConverter.Read(ref reader, typeof(Inputs), JsonSerializerOptions.Default);
        }
    }

    private async Task ExecuteAsync(Operation operation, GraphQLRequest request)
    {
        try
        {
            runner.CheckQuery(request);
            var result = await runner.ExecuteAsync(request, Rules, http, _user, operation.Token);
            if (operation.Token.IsCancellationRequested) return;
            if (result.Streams is { Count: > 0 } streams)
            {
                operation.Attach(streams.Values.First().Subscribe(new Observer(this, operation)));
                return;
            }
            if (!result.Executed)
            {
                // Refused before execution (parse, validation, access): the protocol's error message.
                SendError(operation, result.Errors);
                return;
            }
            Send(Message("next", operation.Id, serializer.Serialize(result)), operation);
            Complete(operation);
        }
        catch (RequestRefusedException refused)
        {
            SendError(operation, [new TransportError(refused.Code, refused.Message)]);
        }
        catch (OperationCanceledException) when (operation.Token.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            LogFailed(e, operation.Id);
            SendError(operation, [new ExecutionError("The server failed to process the request.") { Code = TransportErrorCodes.InternalServerError }]);
        }
    }

    private void SendError(Operation operation, IEnumerable<ExecutionError>? errors)
    {
        if (!_operations.TryRemove(new KeyValuePair<string, Operation>(operation.Id, operation))) return;
        operation.End();
        var shaped = new ExecutionResult { Errors = [.. errors ?? []] };
        using var json = JsonDocument.Parse(serializer.Serialize(shaped));
        var list = json.RootElement.TryGetProperty("errors", out var e) ? e.GetRawText() : "[]";
        Send(Message("error", operation.Id, list));
    }

    private void Complete(Operation operation)
    {
        if (!_operations.TryRemove(new KeyValuePair<string, Operation>(operation.Id, operation))) return;
        operation.End();
        Send(Message("complete", operation.Id, null));
    }

    private string Serialize(ExecutionResult result) => serializer.Serialize(result);

    private static string? PayloadOf(JsonElement payload) =>
        payload.ValueKind == JsonValueKind.Object ? payload.GetRawText() : null;

    private static string Message(string type, string? id, string? payload)
    {
        var text = new StringBuilder(64 + (payload?.Length ?? 0)).Append("{\"type\":\"").Append(type).Append('"');
        if (id is not null) text.Append(",\"id\":").Append(JsonSerializer.Serialize(id));
        if (payload is not null) text.Append(",\"payload\":").Append(payload);
        return text.Append('}').ToString();
    }

    private void Send(string message, Operation? counted = null)
    {
        counted?.Queued();
        _outgoing.Writer.TryWrite(new Outgoing(message, counted));
    }

    /// <summary>Closes the connection with a protocol code; what is queued before it is still sent.</summary>
    private void Close(WebSocketCloseStatus status, string reason)
    {
        if (Interlocked.Exchange(ref _closing, 1) != 0) return;
        _outgoing.Writer.TryWrite(new Outgoing(null, null, status, reason));
        _outgoing.Writer.TryComplete();
    }

    private async Task WriteLoopAsync()
    {
        await foreach (var item in _outgoing.Reader.ReadAllAsync())
        {
            if (item.Text is { } text)
            {
                if (item.Operation is { } op)
                {
                    op.Sent();
                    if (op.CompletedByClient) continue; // nothing more for an operation the client completed
                }
                if (socket.State != WebSocketState.Open) continue;
                await socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, CancellationToken.None);
            }
            else
            {
                if (socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
                    await socket.CloseOutputAsync(item.Status, item.Reason, CancellationToken.None);
                // The client answers the close; one that does not is not waited for long.
                _closed.CancelAfter(TimeSpan.FromSeconds(2));
                return;
            }
        }
    }

    private async Task InitTimeoutAsync(CancellationToken ct)
    {
        try
        {
            await Task.Delay(options.ConnectionInitTimeout, clock, ct);
            if (!_initReceived) Close((WebSocketCloseStatus)CloseCodes.ConnectionInitialisationTimeout, "Connection initialisation timeout");
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task KeepAliveAsync(CancellationToken ct)
    {
        try
        {
            while (true)
            {
                await Task.Delay(options.KeepAliveInterval, clock, ct);
                if (_acknowledged && _closing == 0) Send(Message("ping", null, null));
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private sealed record Outgoing(string? Text, Operation? Operation, WebSocketCloseStatus Status = default, string Reason = "");

    /// <summary>One running operation: its id, its cancellation, its stream's subscription, its queued messages.</summary>
    private sealed class Operation(string id, CancellationTokenSource cancellation)
    {
        private IDisposable? _subscription;
        private int _pending;
        private int _ended;
        private volatile bool _completedByClient;

        public string Id { get; } = id;
        public CancellationToken Token { get; } = cancellation.Token;
        public bool Ended => Volatile.Read(ref _ended) != 0;
        public bool CompletedByClient => _completedByClient;
        public int Pending => Volatile.Read(ref _pending);

        public void Queued() => Interlocked.Increment(ref _pending);
        public void Sent() => Interlocked.Decrement(ref _pending);

        public void Attach(IDisposable subscription)
        {
            _subscription = subscription;
            if (Ended) subscription.Dispose();
        }

        public void End(bool byClient = false)
        {
            if (byClient) _completedByClient = true;
            if (Interlocked.Exchange(ref _ended, 1) != 0) return;
            try
            {
                cancellation.Cancel();
            }
            catch (ObjectDisposedException)
            {
            }
            Interlocked.Exchange(ref _subscription, null)?.Dispose();
        }
    }

    /// <summary>The stream's results, as protocol messages.</summary>
    private sealed class Observer(GraphQLWebSocketSession session, Operation operation) : IObserver<ExecutionResult>
    {
        public void OnNext(ExecutionResult value)
        {
            if (operation.Ended) return;
            if (operation.Pending >= session._maxPending)
            {
                session.SendError(operation, [new SubscriberTooSlowException()]);
                return;
            }
            session.Send(Message("next", operation.Id, session.Serialize(value)), operation);
        }

        public void OnError(Exception error) =>
            session.SendError(operation, [error as ExecutionError ?? new ExecutionError("The stream failed.", error) { Code = TransportErrorCodes.InternalServerError }]);

        public void OnCompleted() => session.Complete(operation);
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "GraphQL WebSocket operation {Id} failed")]
    private partial void LogFailed(Exception e, string id);
}
