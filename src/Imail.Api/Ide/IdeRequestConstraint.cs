namespace Imail.Api.Ide;

/// <summary>
/// The IDE's endpoint outranks the transport's on <c>/graphql</c>; this constraint drops it for
/// every request that is not for the IDE, so GraphQL GET requests still reach the transport.
/// </summary>
internal sealed class IdeRequestConstraint : IRouteConstraint
{
    public bool Match(HttpContext? httpContext, IRouter? route, string routeKey, RouteValueDictionary values, RouteDirection routeDirection) =>
        httpContext is null || IsIdeRequest(httpContext.Request);

    // "/graphql/…" belongs to the IDE; bare "/graphql" only when a browser navigates to it.
    private static bool IsIdeRequest(HttpRequest request) =>
        !request.Query.ContainsKey("query")
        && (request.Path.Value!.Length > "/graphql".Length
            || request.Headers.Accept.ToString().Contains("text/html", StringComparison.OrdinalIgnoreCase));
}
