using System.Security.Claims;
using GraphQL;
using GraphQL.Execution;
using GraphQL.Transport;
using GraphQL.Types;
using GraphQL.Validation;
using Microsoft.Extensions.Options;

namespace Imail.Api.GraphQL.Http;

/// <summary>
/// Runs one GraphQL request for any transport (HTTP, WebSocket, SSE): the same limits, the same
/// schema, the same execution pipeline (document cache, validation rules, error bound, database
/// outages). A transport says only which operations it carries (<see cref="HttpOperationRule"/>).
/// </summary>
internal sealed class GraphQLRunner
{
    private readonly IDocumentExecuter _executer;
    private readonly ISchema _schema;
    private readonly GraphQLOptions _options;
    private readonly ILogger _logger;
    private readonly Func<UnhandledExceptionContext, Task> _logUnhandled;

    public GraphQLRunner(IDocumentExecuter executer, ISchema schema, IOptions<GraphQLOptions> options, ILogger<GraphQLRunner> logger)
    {
        _executer = executer;
        _schema = schema;
        _options = options.Value;
        _logger = logger;
        _logUnhandled = context =>
        {
            _logger.LogError(context.OriginalException, "GraphQL request failed in {Field}", context.FieldContext?.Path is { } path ? string.Join('.', path) : "(before execution)");
            return Task.CompletedTask;
        };
    }

    public GraphQLOptions Options => _options;

    /// <summary>Refuses a request without a document, or with one over <see cref="GraphQLOptions.MaxQueryLength"/>.</summary>
    public void CheckQuery(GraphQLRequest request)
    {
        if (request.Query is null)
        {
            if (request.DocumentId is not null || request.Extensions?.ContainsKey("persistedQuery") == true)
                throw new RequestRefusedException(StatusCodes.Status400BadRequest, TransportErrorCodes.PersistedQueryNotSupported,
                    "PersistedQueryNotSupported: send the full document in \"query\".");
            throw new RequestRefusedException(StatusCodes.Status400BadRequest, TransportErrorCodes.MissingQuery,
                "The request has no \"query\": send the GraphQL document as a string.");
        }
        if (request.Query.Length > _options.MaxQueryLength)
            throw new RequestRefusedException(StatusCodes.Status413PayloadTooLarge, TransportErrorCodes.QueryTooLarge,
                $"The GraphQL document is longer than {_options.MaxQueryLength} characters.");
    }

    /// <summary>
    /// Executes the request as <paramref name="user"/>; <paramref name="http"/> is the request (or the
    /// WebSocket upgrade) it came by: its services and client address. A subscription's result holds
    /// its stream in <see cref="ExecutionResult.Streams"/>, alive until the subscriber disposes it or
    /// <paramref name="ct"/> is cancelled.
    /// </summary>
    public async Task<ExecutionResult> ExecuteAsync(GraphQLRequest request, IValidationRule[] rules, HttpContext http, ClaimsPrincipal user, CancellationToken ct)
    {
        var userContext = new Dictionary<string, object?>(); // the per-request DataLoaders live in it too
        ClientAddress.Put(userContext, http);
        var result = await _executer.ExecuteAsync(new ExecutionOptions
        {
            Schema = _schema,
            Query = request.Query,
            OperationName = request.OperationName,
            Variables = request.Variables,
            Extensions = request.Extensions,
            ValidationRules = rules,
            User = user,
            RequestServices = http.RequestServices,
            CancellationToken = ct,
            UnhandledExceptionDelegate = _logUnhandled,
            UserContext = userContext,
        });
        // The database away was said so by DatabaseOutageErrors, with nothing of the failure: logged here, once.
        if (result.Errors?.OfType<ServiceUnavailableError>().FirstOrDefault() is { } outage)
            _logger.LogWarning("GraphQL request answered SERVICE_UNAVAILABLE: {Reason}", outage.Cause?.GetBaseException().Message ?? "the database is away");
        return result;
    }

    /// <summary>The rules for a transport: the specification's, then the transport's.</summary>
    public static IValidationRule[] Rules(HttpOperationRule transport) => [.. DocumentValidator.CoreRules, transport];
}
