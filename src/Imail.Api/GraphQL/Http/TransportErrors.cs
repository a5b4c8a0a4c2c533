using GraphQL;
using GraphQL.Execution;
using GraphQL.Validation;

namespace Imail.Api.GraphQL.Http;

/// <summary>The <c>extensions.code</c> values the transport itself reports.</summary>
public static class TransportErrorCodes
{
    public const string InvalidJson = "INVALID_JSON";
    public const string InvalidRequest = "INVALID_REQUEST";
    public const string MissingQuery = "MISSING_QUERY";
    public const string BatchingNotSupported = "BATCHING_NOT_SUPPORTED";
    public const string PersistedQueryNotSupported = "PERSISTED_QUERY_NOT_SUPPORTED";
    public const string RequestTooLarge = "REQUEST_TOO_LARGE";
    public const string QueryTooLarge = "QUERY_TOO_LARGE";
    public const string QueryTooDeep = "QUERY_TOO_DEEP";
    public const string TooManyFields = "TOO_MANY_FIELDS";
    public const string TooManyErrors = "TOO_MANY_ERRORS";
    public const string TooManyMutations = "TOO_MANY_MUTATIONS";
    public const string RateLimited = "RATE_LIMITED";
    public const string ServiceUnavailable = "SERVICE_UNAVAILABLE";
    public const string UnsupportedMediaType = "UNSUPPORTED_MEDIA_TYPE";
    public const string NotAcceptable = "NOT_ACCEPTABLE";
    public const string MethodNotAllowed = "METHOD_NOT_ALLOWED";
    public const string SubscriptionNotSupported = "SUBSCRIPTION_NOT_SUPPORTED";
    public const string InternalServerError = "INTERNAL_SERVER_ERROR";
    public const string ExecutionError = "EXECUTION_ERROR";
}

/// <summary>A request the transport refuses before GraphQL sees it (bad JSON, wrong media type, too large…).</summary>
public sealed class TransportError : RequestError
{
    public TransportError(string code, string message) : base(message) => Code = code;
}

/// <summary>A document the transport refuses by its own rules: too large, too deep, an operation HTTP cannot carry.</summary>
public sealed class TransportValidationError : ValidationError
{
    public TransportValidationError(string code, string message) : base(message) => Code = code;
}

/// <summary>The last error of a response that had more than <see cref="GraphQLOptions.MaxErrors"/>: how many were left out.</summary>
public sealed class ErrorsLeftOutError : ExecutionError
{
    public ErrorsLeftOutError(int leftOut)
        : base($"{leftOut} more errors were left out: fix the ones above and send the request again.")
    {
        Code = TransportErrorCodes.TooManyErrors;
        this.AddExtension("leftOut", leftOut);
    }
}

/// <summary>A rate limit refused the request before anything ran (429 with <c>Retry-After</c>).</summary>
public sealed class RateLimitedError : ExecutionError
{
    public RateLimitedError(string message, TimeSpan retryAfter) : base(message)
    {
        Code = TransportErrorCodes.RateLimited;
        RetryAfterSeconds = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));
        this.AddExtension("retryAfterSeconds", RetryAfterSeconds);
    }

    public int RetryAfterSeconds { get; }
}

/// <summary>What <c>Retry-After</c> says for a response's errors.</summary>
public static class RetryAfter
{
    /// <summary>The seconds a <c>Retry-After</c> header should say for these errors, or null when none asks for a retry.</summary>
    public static int? Of(IEnumerable<ExecutionError>? errors)
    {
        int? seconds = null;
        foreach (var error in errors ?? [])
        {
            var wait = error switch
            {
                RateLimitedError limited => limited.RetryAfterSeconds,
                ServiceUnavailableError => ServiceUnavailableError.RetryAfterSeconds,
                _ => (int?)null,
            };
            if (wait > (seconds ?? 0)) seconds = wait;
        }
        return seconds;
    }
}

/// <summary>
/// The database did not answer (stopped, restarting, unreachable, out of connections, gone): the
/// field or request could not be served, and the same request can be sent again (mutations are
/// one transaction each). Carries no detail of the failure, whatever
/// <see cref="ErrorInfoProviderOptions.ExposeExceptionDetails"/> says: connection details are not the client's business.
/// </summary>
public sealed class ServiceUnavailableError : ExecutionError
{
    /// <summary>What <c>Retry-After</c> says: about the time PostgreSQL takes to restart or fail over.</summary>
    public const int RetryAfterSeconds = 5;

    public ServiceUnavailableError(Exception? cause = null)
        : base($"The database is unavailable for the moment: send the request again in {RetryAfterSeconds} seconds.")
    {
        Code = TransportErrorCodes.ServiceUnavailable;
        Cause = cause;
        this.AddExtension("retryAfterSeconds", RetryAfterSeconds);
    }

    /// <summary>What failed, for the server's log only: deliberately not the <see cref="Exception.InnerException"/>, which error details would show.</summary>
    public Exception? Cause { get; }
}
