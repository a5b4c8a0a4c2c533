using System.Net.WebSockets;
using GraphQL;
using Imail.Api.Auth;
using Imail.Api.GraphQL.Http;
using Imail.Api.Lifecycle;
using Microsoft.Extensions.Options;

namespace Imail.Api.GraphQL.WebSockets;

/// <summary>
/// <c>/graphql</c> upgraded to a WebSocket with the <c>graphql-transport-ws</c> subprotocol (the
/// graphql-ws library's protocol, PROTOCOL.md): queries, mutations and subscriptions, run by the same
/// <see cref="GraphQLRunner"/> as HTTP. The close codes are the protocol's (<see cref="CloseCodes"/>).
/// </summary>
internal sealed class GraphQLWebSocketEndpoint(
    GraphQLRunner runner, IGraphQLTextSerializer serializer, BearerTokens tokens, SignInRestrictions restrictions,
    AuthenticationRecorder recorder, IOptions<SubscriptionOptions> options, TimeProvider clock,
    IHostApplicationLifetime lifetime, ILogger<GraphQLWebSocketEndpoint> logger)
{
    public const string SubProtocol = "graphql-transport-ws";

    public async Task HandleAsync(HttpContext http)
    {
        if (!http.WebSockets.WebSocketRequestedProtocols.Contains(SubProtocol))
        {
            // The protocol's answer to a client speaking another one (subscriptions-transport-ws, say).
            using var other = await http.WebSockets.AcceptWebSocketAsync();
            await other.CloseOutputAsync((WebSocketCloseStatus)CloseCodes.SubprotocolNotAcceptable, "Subprotocol not acceptable", http.RequestAborted);
            return;
        }
        using var socket = await http.WebSockets.AcceptWebSocketAsync(SubProtocol);
        using var stopping = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted, lifetime.ApplicationStopping);
        var session = new GraphQLWebSocketSession(socket, http, runner, serializer, tokens, restrictions, recorder, options.Value, clock, logger);
        await session.RunAsync(stopping.Token);
    }
}

/// <summary>The close codes of <c>graphql-transport-ws</c>.</summary>
public static class CloseCodes
{
    public const int BadRequest = 4400;
    public const int Unauthorized = 4401;
    public const int Forbidden = 4403;
    public const int SubprotocolNotAcceptable = 4406;
    public const int ConnectionInitialisationTimeout = 4408;
    public const int SubscriberAlreadyExists = 4409;
    public const int TooManyInitialisationRequests = 4429;
    public const int InternalServerError = 4500;
}
