using System.Globalization;
using GraphQL;

namespace Imail.Api.GraphQL.Http;

/// <summary>
/// One GraphQL-shaped error answered from outside the endpoint (a middleware that must refuse a
/// request before GraphQL sees it): the media type negotiated as the endpoint does, the error
/// shaped by the same provider, <c>Retry-After</c> when the error asks for a retry.
/// </summary>
public static class ErrorResponse
{
    public static async Task WriteAsync(HttpContext http, int status, ExecutionError error)
    {
        var response = http.Response;
        response.StatusCode = status;
        response.ContentType = MediaTypes.Negotiate(http.Request.Headers.Accept) == MediaTypes.Response.Json
            ? MediaTypes.JsonUtf8
            : MediaTypes.GraphQLResponseJsonUtf8;
        SetRetryAfter(response, [error]);
        var serializer = http.RequestServices.GetRequiredService<IGraphQLTextSerializer>();
        await serializer.WriteAsync(response.Body, new ExecutionResult(error), http.RequestAborted);
    }

    /// <summary><c>Retry-After</c>, in seconds, when one of the errors asks for a retry.</summary>
    public static void SetRetryAfter(HttpResponse response, IEnumerable<ExecutionError>? errors)
    {
        if (RetryAfter.Of(errors) is { } seconds) response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
    }
}
