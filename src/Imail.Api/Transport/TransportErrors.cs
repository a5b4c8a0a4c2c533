using GraphQL;
using GraphQL.Execution;
using GraphQL.Validation;

namespace Imail.Api.Transport;

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

/// <summary>The last error of a response that had more than <see cref="TransportOptions.MaxErrors"/>: how many were left out.</summary>
public sealed class ErrorsLeftOutError : ExecutionError
{
    public ErrorsLeftOutError(int leftOut)
        : base($"{leftOut} more errors were left out: fix the ones above and send the request again.")
    {
        Code = TransportErrorCodes.TooManyErrors;
        this.AddExtension("leftOut", leftOut);
    }
}
