using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Imail.Api.Auth;
using Imail.Bench.Hosting;
using Imail.Bench.Load;
using Imail.Bench.Peers;
using Imail.Domain.Consents;
using Imail.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Imail.Bench.Benchmarks;

/// <summary>Everything a benchmark needs: the two hosts, the caller identities, the load generator.</summary>
public sealed class BenchContext(BenchOptions options, ApiUnderTest api, BaselineHost baseline, ILoadClient client,
    Guid userId, Action<string> log, CancellationToken ct) : IAsyncDisposable
{
    private readonly Dictionary<bool, PostGraphilePeer> _peers = [];
    private string? _peerPassword;

    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30) };

    public BenchOptions Options => options;
    public ApiUnderTest Api => api;
    public BaselineHost Baseline => baseline;
    public ILoadClient Client => client;
    public Guid UserId => userId;
    public string UserToken { get; } = api.UserToken(userId);
    public string StaffToken { get; } = api.StaffToken();
    public CancellationToken Cancellation => ct;
    public Uri GraphQLUrl => new(api.Address, "/graphql");

    public void Log(string line) => log(line);

    /// <summary>B9's peer on the API's database, started on first use: with its SQL logged (for the checks) or as in production.</summary>
    public async Task<PostGraphilePeer> PostGraphileAsync(bool logSql)
    {
        if (_peers.TryGetValue(logSql, out var peer)) return peer;
        var auth = api.Services.GetRequiredService<IOptions<AuthOptions>>().Value;
        _peerPassword ??= await PostGraphilePeer.CreateSchemaAsync(api.ConnectionString, api.Services.GetRequiredService<ConsentRules>(), ct);
        peer = await PostGraphilePeer.StartAsync(api.ConnectionString, _peerPassword, ImailApiFactory.TestSigningKey, auth.Issuer, auth.Audience,
            logSql, log, ct);
        _peers[logSql] = peer;
        return peer;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var peer in _peers.Values) await peer.DisposeAsync();
        _http.Dispose();
    }

    public static string Body(string query) => JsonSerializer.Serialize(new { query });

    /// <summary>Sends one request as the load generator will, and returns the status and the parsed body.</summary>
    public async Task<(int Status, JsonNode? Body)> SendAsync(LoadTarget target)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, target.Url)
        {
            Content = new StringContent(target.Body, Encoding.UTF8, "application/json"),
        };
        request.Headers.Accept.ParseAdd("application/graphql-response+json, application/json");
        if (target.Token is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", target.Token);
        using var response = await _http.SendAsync(request, ct);
        var text = await response.Content.ReadAsStringAsync(ct);
        JsonNode? body;
        try
        {
            body = text.Length == 0 ? null : JsonNode.Parse(text);
        }
        catch (JsonException)
        {
            body = JsonValue.Create(text);
        }
        return ((int)response.StatusCode, body);
    }
}
