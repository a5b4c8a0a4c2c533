using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Imail.Api.Tests.Transport;

/// <summary>Raw HTTP to <c>/graphql</c>: the transport tests need to choose every header and byte.</summary>
internal static class GraphQLHttp
{
    public const string GraphQLResponseJson = "application/graphql-response+json";
    public const string Json = "application/json";

    public static HttpRequestMessage Post(string body, string? contentType = Json, string? accept = null, string? token = null)
    {
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
        if (contentType is not null) content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        return With(new HttpRequestMessage(HttpMethod.Post, "/graphql") { Content = content }, accept, token);
    }

    public static HttpRequestMessage PostQuery(string query, object? variables = null, string? accept = null, string? token = null, string? operationName = null) =>
        Post(JsonSerializer.Serialize(new { query, variables, operationName }), accept: accept, token: token);

    public static HttpRequestMessage Get(string query, string? variables = null, string? accept = null, string? token = null, string? operationName = null)
    {
        var url = "/graphql?query=" + Uri.EscapeDataString(query)
            + (variables is null ? "" : "&variables=" + Uri.EscapeDataString(variables))
            + (operationName is null ? "" : "&operationName=" + Uri.EscapeDataString(operationName));
        return With(new HttpRequestMessage(HttpMethod.Get, url), accept, token);
    }

    private static HttpRequestMessage With(HttpRequestMessage request, string? accept, string? token)
    {
        if (accept is not null) request.Headers.TryAddWithoutValidation("Accept", accept);
        if (token is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return request;
    }

    public static async Task<Reply> AskAsync(this HttpClient client, HttpRequestMessage request)
    {
        using (request)
        using (var response = await client.SendAsync(request))
        {
            var text = await response.Content.ReadAsStringAsync();
            JsonObject? body = null;
            try { body = JsonNode.Parse(text) as JsonObject; } catch (JsonException) { }
            return new Reply((int)response.StatusCode, response.Content.Headers.ContentType?.ToString(), response.Headers,
                string.Join(", ", response.Content.Headers.Allow), body, text);
        }
    }
}

internal sealed record Reply(int Status, string? ContentType, HttpResponseHeaders Headers, string Allow, JsonObject? Body, string Text)
{
    public string? MediaType => ContentType?.Split(';')[0].Trim();
    public JsonArray? Errors => Body?["errors"] as JsonArray;
    public bool HasData => Body?.ContainsKey("data") == true;
    public IReadOnlyList<string?> Codes => Errors?.Select(e => e?["extensions"]?["code"]?.GetValue<string>()).ToList() ?? [];

    /// <summary>A GraphQL error response: errors, each with an extensions.code, and what else the test expects.</summary>
    public Reply ShouldFailWith(int status, string code)
    {
        Assert.True(Status == status, $"Expected {status} {code}, got {this}");
        Assert.NotNull(Errors);
        Assert.All(Codes, c => Assert.False(string.IsNullOrEmpty(c), $"An error without extensions.code: {this}"));
        Assert.Contains(code, Codes);
        return this;
    }

    public JsonNode Data()
    {
        Assert.True(Status == 200 && Errors is null && Body?["data"] is not null, $"Expected data, got {this}");
        return Body!["data"]!;
    }

    public override string ToString() => $"{Status} {ContentType} {Text}";
}
