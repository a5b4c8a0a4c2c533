using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Imail.Api.Auth;
using Imail.Domain.Persistence;
using Imail.Domain.Users;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace Imail.Testing;

/// <summary>
/// The real API host, built by the same <c>AddImail…()</c> calls as production, on a database of
/// its own and a clock the test moves. Use as a class fixture. <c>UseKestrel</c> before
/// first use puts it on a real loopback port (browser, WebSocket and process tests).
/// </summary>
public class ImailApiFactory : WebApplicationFactory<Program>, IAsyncLifetime, IDatabaseFixture
{
    /// <summary>The key tests sign tokens with (base64 of 32 bytes); never used outside tests.</summary>
    public const string TestSigningKey = "dGVzdC1zaWduaW5nLWtleS1mb3ItaW1haWwtdGVzdHMhIQ==";

    /// <summary>The key receipts are signed with in tests (P-256, made once per test run).</summary>
    public static readonly string TestReceiptKey = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256).ExportPkcs8PrivateKeyPem();

    public FakeTimeProvider Clock { get; } = new(new DateTimeOffset(2026, 11, 27, 9, 0, 0, TimeSpan.Zero));
    public string ConnectionString { get; protected set; } = "";

    /// <summary>Extra configuration for a test class (keys as in appsettings, ':'-separated).</summary>
    protected virtual IDictionary<string, string?> Settings => new Dictionary<string, string?>();

    /// <summary>An existing database to run on (another replica of an API already started); null: a fresh one.</summary>
    protected string? Database { get; init; }

    public virtual async Task InitializeAsync() => ConnectionString = Database ?? await TestDatabase.CreateAsync();

    public new virtual async Task DisposeAsync() => await base.DisposeAsync();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.UseSetting("ConnectionStrings:Imail", ConnectionString);
        builder.UseSetting("Imail:Auth:SigningKey", TestSigningKey);
        builder.UseSetting("Imail:Consents:ReceiptSigningKey", TestReceiptKey);
        builder.UseSetting("Imail:Database:MigrateOnStartup", "false");
        builder.UseSetting("Imail:GraphQL:ExposeExceptionDetails", "true");
        // API tests do not relay: a test class that wants the worker's jobs in the host sets this to true in Settings.
        builder.UseSetting("Imail:Worker:InProcess", "false");
        // Tests make dozens of consent decisions and sign-ups from one client: limits no test reaches.
        // The rate-limit tests set low ones in Settings.
        foreach (var policy in new[] { "Email", "ConsentProofs" })
            foreach (var scope in new[] { "PerAddress", "PerAccount" })
                builder.UseSetting($"Imail:RateLimits:{policy}:{scope}", "1000000");
        foreach (var (key, value) in Settings) builder.UseSetting(key, value);
        builder.ConfigureServices(services => services.Replace(ServiceDescriptor.Singleton<TimeProvider>(Clock)));
    }

    public string Token(string role, string subject, DateTimeOffset? authenticatedAt = null) =>
        Services.GetRequiredService<TokenIssuer>().Issue(role, subject, authenticatedAt);

    public string StaffToken() => Token(Roles.Staff, "staff-test");

    public string UserToken(Guid userId, DateTimeOffset? authenticatedAt = null) => Token(Roles.User, userId.ToString(), authenticatedAt);

    public HttpClient CreateClient(string? token)
    {
        var client = CreateClient();
        if (token is not null) client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    /// <summary>POSTs a GraphQL request and returns the whole response body (data and errors).</summary>
    public async Task<GraphQLResponse> GraphQLAsync(string query, object? variables = null, string? token = null, string? operationName = null)
    {
        using var client = CreateClient(token);
        using var response = await client.PostAsJsonAsync("/graphql", new { query, variables, operationName });
        var body = await response.Content.ReadAsStringAsync();
        return new GraphQLResponse((int)response.StatusCode, JsonNode.Parse(body)!.AsObject());
    }

    public async Task<User> CreateUserAsync(string email, string displayName = "Test User", string locale = "fr")
    {
        var user = User.SignUp(email, displayName, locale, Clock.GetUtcNow());
        await this.InsertAsync(user);
        return user;
    }

    // The shared dialect (DatabaseFixtures), as instance methods so tests read api.ExecuteDbAsync(…).
    public Task<T> ExecuteDbAsync<T>(Func<ImailDbContext, Task<T>> work) => DatabaseFixtures.ExecuteDbAsync(this, work);

    public Task ExecuteDbAsync(Func<ImailDbContext, Task> work) => DatabaseFixtures.ExecuteDbAsync(this, work);
}

public sealed record GraphQLResponse(int Status, JsonObject Body)
{
    public JsonNode? Data => Body["data"];
    public JsonArray? Errors => Body["errors"] as JsonArray;

    /// <summary>The data, failing the test with the errors when there are any.</summary>
    public JsonNode DataOrFail()
    {
        Assert.True(Errors is null, $"Unexpected errors ({Status}): {Errors?.ToJsonString()}");
        return Data!;
    }

    public IEnumerable<string?> ErrorCodes => Errors?.Select(e => e?["extensions"]?["code"]?.GetValue<string>()) ?? [];

    public override string ToString() => $"{Status} {Body.ToJsonString(new JsonSerializerOptions { WriteIndented = true })}";
}
