using System.Net;
using System.Net.Sockets;
using Imail.Api.GraphQL.Http;
using Imail.Api.Tests.Transport;
using Imail.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using static Imail.Api.Tests.Transport.GraphQLHttp;

namespace Imail.Api.Tests.Hosting;

/// <summary>What a client learns while PostgreSQL is away: SERVICE_UNAVAILABLE, Retry-After, never a 500, nothing of the failure.</summary>
internal static class Outage
{
    // What a leak would look like: the driver, the connection, a stack trace.
    private static readonly string[] Leaks = ["Npgsql", "Postgres", "Exception", "127.0.0.1", "Host=", "refused", "Failed to connect", "   at ", "Imail.Api."];

    public static Reply ShouldSayServiceUnavailable(this Reply reply, int status = 503)
    {
        Assert.True(reply.Status == status, $"Expected {status}, got {reply}");
        Assert.Contains(TransportErrorCodes.ServiceUnavailable, reply.Codes);
        Assert.All(reply.Codes, code => Assert.Equal(TransportErrorCodes.ServiceUnavailable, code));
        Assert.Equal(ServiceUnavailableError.RetryAfterSeconds.ToString(), Assert.Single(reply.Headers.GetValues("Retry-After")));
        foreach (var leak in Leaks) Assert.False(reply.Text.Contains(leak, StringComparison.OrdinalIgnoreCase), $"'{leak}' in {reply.Text}");
        return reply;
    }
}

/// <summary>The real host, its connection string on a loopback port where nothing listens.</summary>
public sealed class NoDatabaseApiFactory : ImailApiFactory
{
    private static readonly int Port = FreePort();

    public override Task InitializeAsync() => Task.CompletedTask;

    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["ConnectionStrings:Imail"] = $"Host=127.0.0.1;Port={Port};Database=imail;Username=imail;Password=secret;Timeout=2",
    };

    private static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}

public sealed class DatabaseOutageTests(NoDatabaseApiFactory api) : IClassFixture<NoDatabaseApiFactory>
{
    private readonly HttpClient _client = api.CreateClient();

    [Fact]
    public async Task Item19_AnonymousQuery_SaysServiceUnavailable()
    {
        var reply = await _client.AskAsync(PostQuery("{ dataCategories { code } }"));

        reply.ShouldSayServiceUnavailable();
        Assert.Null(reply.Body!["data"]);
    }

    [Fact]
    public async Task Item19_StaffQuery_SaysServiceUnavailable()
    {
        (await _client.AskAsync(PostQuery("{ users(first: 5) { totalCount nodes { email } } }", token: api.StaffToken())))
            .ShouldSayServiceUnavailable();
    }

    [Fact]
    public async Task Item19_AnonymousMutation_SaysServiceUnavailable()
    {
        (await _client.AskAsync(PostQuery("""mutation { signUp(input: { email: "away@example.org", displayName: "Away" }) { user { id } errors { code } } }""")))
            .ShouldSayServiceUnavailable();
    }

    [Fact]
    public async Task Item19_UsersMutation_SaysServiceUnavailable()
    {
        (await _client.AskAsync(PostQuery("""mutation { updateProfile(input: { displayName: "Away" }) { errors { code } } }""", token: api.UserToken(Guid.NewGuid()))))
            .ShouldSayServiceUnavailable();
    }

    [Fact]
    public async Task Item19_SignedInRequest_WhoseSignInCannotBeRecorded_SaysServiceUnavailable()
    {
        // The sign-in time is recorded (P9) before GraphQL runs: that write is what fails here.
        (await _client.AskAsync(PostQuery("{ __typename }", token: api.UserToken(Guid.NewGuid()))))
            .ShouldSayServiceUnavailable();
    }

    [Fact]
    public async Task Item19_AField_ThatCouldAnswer_KeepsItsData_Status200()
    {
        // A nullable field fails, another answers: data is not null, so the spec's 2xx applies.
        var reply = await _client.AskAsync(PostQuery("{ __typename dataCategory(code: \"contact\") { code } }"));

        reply.ShouldSayServiceUnavailable(200);
        Assert.Equal("Query", (string?)reply.Body!["data"]!["__typename"]);
    }

    [Fact]
    public async Task Item19_WithApplicationJson_StaysStatus200()
    {
        (await _client.AskAsync(PostQuery("{ dataCategories { code } }", accept: Json))).ShouldSayServiceUnavailable(200);
    }

    [Fact]
    public async Task Item19_WithoutExceptionDetails_TheAnswerIsTheSame()
    {
        await using var production = new ProductionDetails(api);
        using var client = production.CreateClient();

        (await client.AskAsync(PostQuery("{ users { totalCount } }", token: api.StaffToken()))).ShouldSayServiceUnavailable();
    }

    private sealed class ProductionDetails(NoDatabaseApiFactory parent) : ImailApiFactory
    {
        public override Task InitializeAsync() => Task.CompletedTask;

        protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
        {
            ["ConnectionStrings:Imail"] = parent.Services.GetRequiredService<IConfiguration>().GetConnectionString("Imail"),
            ["Imail:GraphQL:ExposeExceptionDetails"] = "false",
        };
    }
}

/// <summary>A real database dropped while the API uses it: its pooled connections are terminated, new ones find no database.</summary>
public sealed class DroppedDatabaseTests(ImailApiFactory api) : IClassFixture<ImailApiFactory>
{
    [Fact]
    public async Task Item19_DatabaseDroppedMidTest_QueriesAndMutationsSayServiceUnavailable()
    {
        using var client = api.CreateClient();
        var user = await api.CreateUserAsync("dropped@example.org");
        var token = api.UserToken(user.Id);
        (await client.AskAsync(PostQuery("{ users { totalCount } }", token: api.StaffToken()))).Data();
        (await client.AskAsync(PostQuery("{ me { id } }", token: token))).Data(); // sign-in recorded now, not again

        var database = new NpgsqlConnectionStringBuilder(api.ConnectionString).Database!;
        await using (var admin = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(api.ConnectionString) { Database = "postgres", Pooling = false }.ConnectionString))
        {
            await admin.OpenAsync();
            await using var drop = new NpgsqlCommand($"DROP DATABASE \"{database}\" WITH (FORCE)", admin);
            await drop.ExecuteNonQueryAsync();
        }

        (await client.AskAsync(PostQuery("{ users { totalCount } }", token: api.StaffToken()))).ShouldSayServiceUnavailable();
        (await client.AskAsync(PostQuery("""mutation { updateProfile(input: { displayName: "Gone" }) { errors { code } } }""", token: token)))
            .ShouldSayServiceUnavailable();
        (await client.AskAsync(PostQuery("{ dataCategories { code } }"))).ShouldSayServiceUnavailable();
    }
}
