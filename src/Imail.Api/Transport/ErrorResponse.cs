using System.Globalization;
using GraphQL;

namespace Imail.Api.Transport;

/// <summary>What HTTP says about GraphQL errors, beside their body.</summary>
public static class ErrorResponse
{
    /// <summary><c>Retry-After</c>, in seconds, when one of the errors asks for a retry.</summary>
    public static void SetRetryAfter(HttpResponse response, IEnumerable<ExecutionError>? errors)
    {
        if (RetryAfter.Of(errors) is { } seconds) response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
    }
}
