using GraphQL;
using GraphQL.Execution;
using GraphQL.Validation;
using Imail.Api.Hosting;
using Imail.Domain.Common;

namespace Imail.Api.GraphQL.Http;

/// <summary>
/// <c>/graphql</c> as the GraphQL-over-HTTP spec (draft) describes it: POST with a JSON body, GET
/// with URL parameters for queries, the response media type negotiated from <c>Accept</c>.
/// </summary>
/// <remarks>
/// Status codes. With <c>application/json</c>, every well-formed request is answered 200, whatever
/// GraphQL reports (the spec's Appendix rules for that legacy type). With
/// <c>application/graphql-response+json</c>: 200 when the operation ran, field errors included;
/// 400 when the document does not parse or validate, the operation cannot be chosen, or the
/// variables do not coerce. Our access rule (<see cref="AccessValidationRule"/>) is a validation
/// rule, but the spec singles that case out ("if the client is not permitted to issue the GraphQL
/// request then the server SHOULD reply with 403, 401"): when every error is an access error the
/// answer is 401 (<c>AUTH_NOT_AUTHENTICATED</c> only, with <c>WWW-Authenticate: Bearer</c>) or 403
/// (any <c>ACCESS_DENIED</c>); mixed with other validation errors it stays 400, since the document
/// must be fixed first. For both media types: a request that is not well-formed is a 4xx (400, 413,
/// 415), a mutation over GET is 405 with <c>Allow: POST</c>, an unacceptable <c>Accept</c> is 406,
/// a request refused by a rate limit before it ran is 429 (<c>RATE_LIMITED</c>, like a 413 it is
/// refused as a request, not answered as GraphQL), and only a fault of ours before execution
/// (never the client's input) is a 500.
/// <para>
/// The database away (<c>SERVICE_UNAVAILABLE</c>, always with <c>Retry-After</c>). When it stopped
/// the request before execution, or when execution produced nothing but that error and
/// <c>data</c> is null, the answer is 503 with <c>application/graphql-response+json</c>: nothing
/// of the request could be served, and 503 with <c>Retry-After</c> is what load balancers,
/// gateways and retrying HTTP clients act on. That departs from the spec's SHOULD of a 2xx for a null
/// <c>data</c>, whose reason (a partial response) does not apply: there is no part. When some
/// field did answer, <c>data</c> is not null and the spec's MUST applies: 200. With
/// <c>application/json</c> an executed request stays 200, as the spec's rules for that type ask.
/// </para>
/// </remarks>
internal sealed class GraphQLHttpEndpoint(GraphQLRunner runner, IGraphQLTextSerializer serializer, ILogger<GraphQLHttpEndpoint> logger)
{
    private static readonly IValidationRule[] GetRules = GraphQLRunner.Rules(HttpOperationRule.Get);
    private static readonly IValidationRule[] PostRules = GraphQLRunner.Rules(HttpOperationRule.Post);

    private readonly IGraphQLTextSerializer _serializer = serializer;
    private readonly ILogger _logger = logger;

    public async Task HandleAsync(HttpContext http)
    {
        var request = http.Request;
        var response = http.Response;
        var mediaType = MediaTypes.Negotiate(request.Headers.Accept);
        try
        {
            var isGet = HttpMethods.IsGet(request.Method);
            if (!isGet && !HttpMethods.IsPost(request.Method))
            {
                response.Headers.Allow = "GET, POST";
                await WriteErrorAsync(http, StatusCodes.Status405MethodNotAllowed, mediaType, TransportErrorCodes.MethodNotAllowed,
                    $"{request.Method} is not supported here: send GraphQL requests with POST (or GET for queries).");
                return;
            }
            if (mediaType == MediaTypes.Response.None)
            {
                await WriteErrorAsync(http, StatusCodes.Status406NotAcceptable, mediaType, TransportErrorCodes.NotAcceptable,
                    $"The Accept header allows neither {MediaTypes.GraphQLResponseJson} nor {MediaTypes.Json}.");
                return;
            }
            if (!isGet && !MediaTypes.IsJsonRequest(request.ContentType))
            {
                // Also the CSRF guard of the spec's security notes: form and text/plain bodies, which a
                // browser sends cross-site without a preflight, never reach GraphQL. GET runs only
                // queries, which change nothing.
                await WriteErrorAsync(http, StatusCodes.Status415UnsupportedMediaType, mediaType, TransportErrorCodes.UnsupportedMediaType,
                    $"Send the request as {MediaTypes.Json} (UTF-8); got {(string.IsNullOrEmpty(request.ContentType) ? "no Content-Type" : Excerpt.Quote(request.ContentType))}.");
                return;
            }

            var graphQLRequest = isGet
                ? RequestReader.FromQueryString(request.Query)
                : await RequestReader.FromBodyAsync(request, runner.Options.MaxRequestBytes, http.RequestAborted);
            runner.CheckQuery(graphQLRequest);

            var result = await runner.ExecuteAsync(graphQLRequest, isGet ? GetRules : PostRules, http, http.User, http.RequestAborted);
            var status = StatusFor(result, mediaType);
            if (status == StatusCodes.Status405MethodNotAllowed) response.Headers.Allow = "POST";
            else if (status == StatusCodes.Status401Unauthorized) response.Headers.WWWAuthenticate = "Bearer";
            ErrorResponse.SetRetryAfter(response, result.Errors);
            if (isGet) response.Headers.Vary = "Accept";
            await WriteAsync(http, status, mediaType, result);
        }
        catch (RequestRefusedException refused)
        {
            await WriteErrorAsync(http, refused.Status, mediaType, refused.Code, refused.Message);
        }
        catch (OperationCanceledException) when (http.RequestAborted.IsCancellationRequested)
        {
            // The client went away; nobody is left to answer.
        }
        catch (BadHttpRequestException e) // the server refused the body (malformed chunking, its own size limit…)
        {
            await WriteErrorAsync(http, e.StatusCode, mediaType,
                e.StatusCode == StatusCodes.Status413PayloadTooLarge ? TransportErrorCodes.RequestTooLarge : TransportErrorCodes.InvalidRequest, e.Message);
        }
        catch (IOException e) when (http.RequestAborted.IsCancellationRequested)
        {
            _logger.LogDebug(e, "GraphQL request body could not be read");
        }
        catch (Exception e) when (DatabaseOutage.Is(e))
        {
            _logger.LogWarning("GraphQL request answered SERVICE_UNAVAILABLE: {Reason}", e.GetBaseException().Message);
            if (!response.HasStarted)
                await ErrorResponse.WriteAsync(http, StatusCodes.Status503ServiceUnavailable, new ServiceUnavailableError(e));
        }
        catch (Exception e)
        {
            _logger.LogError(e, "GraphQL request failed");
            if (!response.HasStarted)
                await WriteErrorAsync(http, StatusCodes.Status500InternalServerError, mediaType, TransportErrorCodes.InternalServerError, "The server failed to process the request.");
        }
    }

    /// <summary>The status code for a result; see the class remarks for the reasoning.</summary>
    internal static int StatusFor(ExecutionResult result, MediaTypes.Response mediaType)
    {
        bool methodNotAllowed = false, serverFault = false, onlyAccess = true, denied = false, rateLimited = false, onlyUnavailable = true, any = false;
        foreach (var error in result.Errors ?? [])
        {
            if (error is ErrorsLeftOutError) continue; // counts the others; says nothing of its own
            any = true;
            if (error is not ServiceUnavailableError) onlyUnavailable = false;
            if (error is RateLimitedError) rateLimited = true;
            if (error.Code == TransportErrorCodes.MethodNotAllowed) methodNotAllowed = true;
            if (error is not (DocumentError or RequestError)) serverFault = true; // e.g. UnhandledError before execution
            if (error is AccessValidationRule.AccessError access) denied |= access.Code != "AUTH_NOT_AUTHENTICATED";
            else onlyAccess = false;
        }
        var unavailable = any && onlyUnavailable;
        if (result.Executed)
            return unavailable && result.Data is null && mediaType == MediaTypes.Response.GraphQLResponseJson
                ? StatusCodes.Status503ServiceUnavailable
                : StatusCodes.Status200OK;

        if (unavailable) return StatusCodes.Status503ServiceUnavailable;
        if (rateLimited) return StatusCodes.Status429TooManyRequests;
        if (methodNotAllowed) return StatusCodes.Status405MethodNotAllowed;
        if (serverFault || !any) return StatusCodes.Status500InternalServerError;
        if (mediaType == MediaTypes.Response.Json) return StatusCodes.Status200OK;
        if (onlyAccess) return denied ? StatusCodes.Status403Forbidden : StatusCodes.Status401Unauthorized;
        return StatusCodes.Status400BadRequest;
    }

    private Task WriteErrorAsync(HttpContext http, int status, MediaTypes.Response mediaType, string code, string message) =>
        WriteAsync(http, status, mediaType, new ExecutionResult(new TransportError(code, message)));

    private async Task WriteAsync(HttpContext http, int status, MediaTypes.Response mediaType, ExecutionResult result)
    {
        var response = http.Response;
        response.StatusCode = status;
        response.ContentType = mediaType == MediaTypes.Response.GraphQLResponseJson ? MediaTypes.GraphQLResponseJsonUtf8 : MediaTypes.JsonUtf8;
        await _serializer.WriteAsync(response.Body, result, http.RequestAborted);
    }
}
