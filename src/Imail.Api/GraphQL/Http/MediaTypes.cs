using Microsoft.Extensions.Primitives;

namespace Imail.Api.GraphQL.Http;

/// <summary>The response media types of the GraphQL-over-HTTP spec, and the choice between them.</summary>
internal static class MediaTypes
{
    public const string GraphQLResponseJson = "application/graphql-response+json";
    public const string Json = "application/json";
    public const string GraphQLResponseJsonUtf8 = "application/graphql-response+json; charset=utf-8";
    public const string JsonUtf8 = "application/json; charset=utf-8";

    public enum Response { None, GraphQLResponseJson, Json }

    /// <summary>
    /// The response media type for an <c>Accept</c> header: the acceptable one with the highest q,
    /// a type named exactly beating one reached by a wildcard, then application/graphql-response+json.
    /// No header, or <c>*/*</c>, means the spec's default since its 2025 watershed:
    /// application/graphql-response+json (graphql-http's audit still prefers application/json there,
    /// two SHOULDs written before the watershed). <see cref="Response.None"/> when neither is acceptable (406).
    /// </summary>
    public static Response Negotiate(StringValues accept)
    {
        if (accept.Count == 0) return Response.GraphQLResponseJson;
        if (accept.Count == 1)
        {
            // The headers clients actually send, without parsing.
            var single = accept[0];
            if (string.IsNullOrWhiteSpace(single) || single == "*/*" || single == GraphQLResponseJson) return Response.GraphQLResponseJson;
            if (single == Json) return Response.Json;
        }

        Match graphql = default, json = default;
        foreach (var header in accept)
        {
            if (header is null) continue;
            foreach (var range in header.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                if (!TryParseRange(range, out var type, out var quality)) continue;
                graphql = graphql.With(Specificity(type, GraphQLResponseJson), quality);
                json = json.With(Specificity(type, Json), quality);
            }
        }

        var graphqlQ = graphql.Specificity > 0 ? graphql.Quality : 0;
        var jsonQ = json.Specificity > 0 ? json.Quality : 0;
        if (graphqlQ <= 0 && jsonQ <= 0) return Response.None;
        if (graphqlQ != jsonQ) return graphqlQ > jsonQ ? Response.GraphQLResponseJson : Response.Json;
        return json.Specificity > graphql.Specificity ? Response.Json : Response.GraphQLResponseJson;
    }

    /// <summary>Whether a request's Content-Type is JSON we can read: application/json, UTF-8 or no charset.</summary>
    public static bool IsJsonRequest(string? contentType)
    {
        if (contentType is null) return false;
        if (contentType == Json || contentType == JsonUtf8) return true;
        var parts = contentType.Split(';', StringSplitOptions.TrimEntries);
        if (!parts[0].Equals(Json, StringComparison.OrdinalIgnoreCase)) return false;
        foreach (var parameter in parts.AsSpan(1))
        {
            var eq = parameter.IndexOf('=');
            if (eq < 0) continue;
            var name = parameter[..eq].Trim();
            var value = parameter[(eq + 1)..].Trim().Trim('"');
            if (name.Equals("charset", StringComparison.OrdinalIgnoreCase)
                && !value.Equals("utf-8", StringComparison.OrdinalIgnoreCase)
                && !value.Equals("utf8", StringComparison.OrdinalIgnoreCase))
                return false;
        }
        return true;
    }

    // 3: the exact type, 2: application/*, 1: */*, 0: no match.
    private static int Specificity(string range, string type) =>
        range.Equals(type, StringComparison.OrdinalIgnoreCase) ? 3
        : range.Equals("application/*", StringComparison.OrdinalIgnoreCase) ? 2
        : range == "*/*" ? 1
        : 0;

    private static bool TryParseRange(string range, out string type, out double quality)
    {
        quality = 1;
        var parts = range.Split(';', StringSplitOptions.TrimEntries);
        type = parts[0];
        if (type.Length == 0) return false;
        foreach (var parameter in parts.AsSpan(1))
        {
            var eq = parameter.IndexOf('=');
            if (eq < 0) continue;
            var name = parameter[..eq].Trim();
            var value = parameter[(eq + 1)..].Trim().Trim('"');
            if (name.Equals("q", StringComparison.OrdinalIgnoreCase))
            {
                if (!double.TryParse(value, System.Globalization.NumberStyles.AllowDecimalPoint, System.Globalization.CultureInfo.InvariantCulture, out quality)) quality = 0;
                quality = Math.Clamp(quality, 0, 1);
            }
            else if (name.Equals("charset", StringComparison.OrdinalIgnoreCase)
                     && !value.Equals("utf-8", StringComparison.OrdinalIgnoreCase)
                     && !value.Equals("utf8", StringComparison.OrdinalIgnoreCase))
            {
                return false; // we only answer in UTF-8
            }
        }
        return true;
    }

    /// <summary>The most specific range that matched a type so far, and its q (RFC 9110 §12.5.1).</summary>
    private readonly record struct Match(int Specificity, double Quality)
    {
        public Match With(int specificity, double quality) =>
            specificity > Specificity ? new Match(specificity, quality)
            : specificity == Specificity && specificity > 0 ? this with { Quality = Math.Max(Quality, quality) }
            : this;
    }
}
