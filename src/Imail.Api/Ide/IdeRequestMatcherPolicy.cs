using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Matching;

namespace Imail.Api.Ide;

/// <summary>Marks the IDE's endpoint, which shares <c>/graphql</c> with the GraphQL transport.</summary>
internal sealed class IdeRequestMetadata
{
    public static readonly IdeRequestMetadata Instance = new();
}

/// <summary>
/// The IDE's endpoint outranks the transport's on <c>/graphql</c>; this policy drops it for every
/// request that is not for the IDE, so GraphQL GET requests still reach the transport.
/// </summary>
internal sealed class IdeRequestMatcherPolicy : MatcherPolicy, IEndpointSelectorPolicy
{
    public override int Order => 0;

    public bool AppliesToEndpoints(IReadOnlyList<Endpoint> endpoints) =>
        endpoints.Any(e => e.Metadata.GetMetadata<IdeRequestMetadata>() is not null);

    public Task ApplyAsync(HttpContext httpContext, CandidateSet candidates)
    {
        for (var i = 0; i < candidates.Count; i++)
        {
            if (candidates[i].Endpoint.Metadata.GetMetadata<IdeRequestMetadata>() is not null
                && !IsIdeRequest(httpContext.Request))
            {
                candidates.SetValidity(i, false);
            }
        }
        return Task.CompletedTask;
    }

    // "/graphql/…" belongs to the IDE; bare "/graphql" only when a browser navigates to it.
    private static bool IsIdeRequest(HttpRequest request) =>
        !request.Query.ContainsKey("query")
        && (request.Path.Value!.Length > "/graphql".Length
            || request.Headers.Accept.ToString().Contains("text/html", StringComparison.OrdinalIgnoreCase));
}
