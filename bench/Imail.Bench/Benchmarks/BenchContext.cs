using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Imail.Bench.Hosting;
using Imail.Bench.Load;

namespace Imail.Bench.Benchmarks;

/// <summary>Everything a benchmark needs: the two hosts, the caller identities, the load generator.</summary>
public sealed class BenchContext(BenchOptions options, ApiUnderTest api, BaselineHost baseline, ILoadClient client,
    Guid userId, Action<string> log, CancellationToken ct)
{
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
