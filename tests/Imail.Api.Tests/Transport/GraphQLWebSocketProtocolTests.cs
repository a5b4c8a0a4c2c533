using Imail.Api.Auth;
using Imail.Api.GraphQL.WebSockets;
using Imail.Api.Tests.Partners;

namespace Imail.Api.Tests.Transport;

/// <summary>
/// <c>graphql-transport-ws</c> message by message, with a raw client: every misuse closes the
/// connection with the protocol's code; ping, queries and mutations work over the socket.
/// </summary>
public sealed class GraphQLWebSocketProtocolTests(LoopbackReplica api) : IClassFixture<LoopbackReplica>
{
    [Fact]
    public async Task ConnectionInit_WithAnInvalidToken_Closes4403()
    {
        await using var socket = await RawSocket.ConnectAsync(api.WebSocketUri);
        await socket.SendAsync("""{"type":"connection_init","payload":{"authorization":"Bearer not-a-token"}}""");

        var (code, reason) = await socket.ClosedAsync();

        Assert.Equal(CloseCodes.Forbidden, code);
        Assert.StartsWith("Forbidden", reason);
    }

    [Fact]
    public async Task NoConnectionInit_WithinTheTimeout_Closes4408()
    {
        await using var socket = await RawSocket.ConnectAsync(api.WebSocketUri);

        // The timeout reads the application's clock: move it past 10 s until the server has started counting.
        var closed = socket.ClosedAsync();
        await Imail.Testing.Eventually.Async(() =>
        {
            api.Clock.Advance(TimeSpan.FromSeconds(11));
            return Task.FromResult(closed.IsCompleted);
        }, done => done, "the server closing the connection");

        Assert.Equal(CloseCodes.ConnectionInitialisationTimeout, (await closed).Code);
    }

    [Fact]
    public async Task SecondConnectionInit_Closes4429()
    {
        await using var socket = await RawSocket.ConnectAsync(api.WebSocketUri);
        await socket.InitAsync(null);
        await socket.SendAsync("""{"type":"connection_init"}""");

        Assert.Equal(CloseCodes.TooManyInitialisationRequests, (await socket.ClosedAsync()).Code);
    }

    [Fact]
    public async Task SubscribeBeforeTheAck_Closes4401()
    {
        await using var socket = await RawSocket.ConnectAsync(api.WebSocketUri);
        await socket.SendAsync("""{"type":"subscribe","id":"1","payload":{"query":"{ __typename }"}}""");

        Assert.Equal(CloseCodes.Unauthorized, (await socket.ClosedAsync()).Code);
    }

    [Fact]
    public async Task DuplicateOperationId_Closes4409()
    {
        await using var socket = await RawSocket.ConnectAsync(api.WebSocketUri);
        await socket.InitAsync(api.PartnerToken());
        await socket.SendAsync("""{"type":"subscribe","id":"same","payload":{"query":"subscription { partnerEvents { id } }"}}""");
        await socket.SendAsync("""{"type":"subscribe","id":"same","payload":{"query":"subscription { partnerEvents { id } }"}}""");

        var (code, reason) = await socket.ClosedAsync();

        Assert.Equal(CloseCodes.SubscriberAlreadyExists, code);
        Assert.Equal("Subscriber for same already exists", reason);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("""{"no":"type"}""")]
    [InlineData("""{"type":"unknown"}""")]
    [InlineData("""{"type":"connection_ack"}""")]
    [InlineData("""{"type":"subscribe","payload":{"query":"{ __typename }"}}""")]
    [InlineData("""{"type":"subscribe","id":"1","payload":{"variables":{}}}""")]
    public async Task InvalidMessage_Closes4400(string message)
    {
        await using var socket = await RawSocket.ConnectAsync(api.WebSocketUri);
        await socket.InitAsync(null);
        await socket.SendAsync(message);

        var (code, reason) = await socket.ClosedAsync();

        Assert.Equal(CloseCodes.BadRequest, code);
        Assert.StartsWith("Invalid message received", reason);
    }

    [Fact]
    public async Task AnotherSubprotocol_Closes4406()
    {
        await using var socket = await RawSocket.ConnectAsync(api.WebSocketUri, subProtocol: "graphql-ws");

        Assert.Equal(CloseCodes.SubprotocolNotAcceptable, (await socket.ClosedAsync()).Code);
    }

    [Fact]
    public async Task Ping_IsAnsweredWithPong_EvenBeforeTheAck()
    {
        await using var socket = await RawSocket.ConnectAsync(api.WebSocketUri);
        await socket.SendAsync("""{"type":"ping","payload":{"n":1}}""");

        var pong = await socket.ReceiveAsync();

        Assert.Equal("pong", pong!["type"]!.GetValue<string>());
        Assert.Equal(1, pong["payload"]!["n"]!.GetValue<int>());
    }

    [Fact]
    public async Task Query_OverTheSocket_IsOneNext_ThenTheServerCompletes()
    {
        await using var socket = await RawSocket.ConnectAsync(api.WebSocketUri);
        await socket.InitAsync(null);
        await socket.SendAsync("""{"type":"subscribe","id":"q","payload":{"query":"query { cookies { name } }"}}""");

        var next = await socket.ReceiveAsync();
        var complete = await socket.ReceiveAsync();

        Assert.Equal("next", next!["type"]!.GetValue<string>());
        Assert.Equal("q", next["id"]!.GetValue<string>());
        Assert.NotNull(next["payload"]!["data"]!["cookies"]);
        Assert.Equal("complete", complete!["type"]!.GetValue<string>());
        Assert.Equal("q", complete["id"]!.GetValue<string>());
    }

    [Fact]
    public async Task Mutation_OverTheSocket_Runs()
    {
        await using var socket = await RawSocket.ConnectAsync(api.WebSocketUri);
        await socket.InitAsync(null);
        await socket.SendAsync("""
            {"type":"subscribe","id":"m","payload":{"query":"mutation($i: SignUpInput!) { signUp(input: $i) { user { email } errors { code } } }","variables":{"i":{"email":"ws@example.org","displayName":"Web Socket","locale":"en"}}}}
            """);

        var next = await socket.ReceiveAsync();

        Assert.True(next!["payload"]?["data"]?["signUp"] is not null, next.ToJsonString());
        Assert.Equal("ws@example.org", next!["payload"]!["data"]!["signUp"]!["user"]!["email"]!.GetValue<string>());
        Assert.Equal("complete", (await socket.ReceiveAsync())!["type"]!.GetValue<string>());
    }

    [Fact]
    public async Task InvalidDocument_IsAnErrorMessage_TheConnectionStaysOpen()
    {
        await using var socket = await RawSocket.ConnectAsync(api.WebSocketUri);
        await socket.InitAsync(null);
        await socket.SendAsync("""{"type":"subscribe","id":"bad","payload":{"query":"{ noSuchField }"}}""");

        var error = await socket.ReceiveAsync();
        await socket.SendAsync("""{"type":"ping"}""");

        Assert.Equal("error", error!["type"]!.GetValue<string>());
        Assert.Equal("bad", error["id"]!.GetValue<string>());
        Assert.NotEmpty(error["payload"]!.AsArray());
        Assert.Equal("pong", (await socket.ReceiveAsync())!["type"]!.GetValue<string>());
    }

    [Fact]
    public async Task PartnerEvents_ForAUser_IsAnAccessError()
    {
        await using var socket = await RawSocket.ConnectAsync(api.WebSocketUri);
        await socket.InitAsync(api.Token(Roles.User, Guid.CreateVersion7().ToString()));
        await socket.SendAsync("""{"type":"subscribe","id":"s","payload":{"query":"subscription { partnerEvents { id } }"}}""");

        var error = await socket.ReceiveAsync();

        Assert.Equal("error", error!["type"]!.GetValue<string>());
        Assert.Equal("ACCESS_DENIED", error["payload"]![0]!["extensions"]!["code"]!.GetValue<string>());
    }

    [Fact]
    public async Task PartnerEvents_Anonymous_IsAnAccessError()
    {
        await using var socket = await RawSocket.ConnectAsync(api.WebSocketUri);
        await socket.InitAsync(null);
        await socket.SendAsync("""{"type":"subscribe","id":"s","payload":{"query":"subscription { partnerEvents { id } }"}}""");

        var error = await socket.ReceiveAsync();

        Assert.Equal("AUTH_NOT_AUTHENTICATED", error!["payload"]![0]!["extensions"]!["code"]!.GetValue<string>());
    }

    [Fact]
    public async Task TheUpgradeRequestsAuthorizationHeader_Authenticates()
    {
        await using var socket = await RawSocket.ConnectAsync(api.WebSocketUri, authorization: "Bearer " + api.PartnerToken());
        await socket.InitAsync(null);
        await socket.SendAsync("""{"type":"subscribe","id":"s","payload":{"query":"subscription { partnerEvents(after: \"x\") { id } }"}}""");

        var next = await socket.ReceiveAsync();

        Assert.True(next!["payload"]?["errors"] is not null, next.ToJsonString());
        // Past access: the cursor is what is refused.
        Assert.Equal("INVALID_CURSOR", next!["payload"]!["errors"]![0]!["extensions"]!["code"]!.GetValue<string>());
    }

    [Fact]
    public async Task ClientComplete_StopsTheSubscription_AndTheConnectionGoesOn()
    {
        await using var socket = await RawSocket.ConnectAsync(api.WebSocketUri);
        await socket.InitAsync(api.PartnerToken());
        await socket.SendAsync("""{"type":"subscribe","id":"s","payload":{"query":"subscription { partnerEvents { id } }"}}""");
        await api.WaitForSubscribersAsync(1);

        await socket.SendAsync("""{"type":"complete","id":"s"}""");

        await Imail.Testing.Eventually.Async(() => Task.FromResult(api.Backplane.LiveSubscribers), n => n == 0, "the subscriber leaving");
        await socket.SendAsync("""{"type":"ping"}""");
        Assert.Equal("pong", (await socket.ReceiveAsync())!["type"]!.GetValue<string>());
    }

    [Fact]
    public async Task WebSocketUpgrade_WithAnInvalidAuthorizationHeader_IsRefused401()
    {
        var e = await Assert.ThrowsAsync<System.Net.WebSockets.WebSocketException>(() => RawSocket.ConnectAsync(api.WebSocketUri, authorization: "Bearer nope"));

        Assert.Contains("401", e.Message);
    }
}
