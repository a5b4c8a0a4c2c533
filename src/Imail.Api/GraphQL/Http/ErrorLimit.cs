using GraphQL;
using GraphQL.DI;
using Microsoft.Extensions.Options;

namespace Imail.Api.GraphQL.Http;

/// <summary>
/// Keeps the first <see cref="GraphQLOptions.MaxErrors"/> errors of a result and replaces the
/// rest by one <c>TOO_MANY_ERRORS</c> error that counts them. A step of GraphQL.NET's execution
/// pipeline, outside the document cache, so every transport answers with the same bound.
/// </summary>
internal sealed class ErrorLimit(IOptions<GraphQLOptions> options) : IConfigureExecution
{
    private readonly int _max = options.Value.MaxErrors;

    /// <summary>Before GraphQL.NET's option steps (100) and the document cache (200): it sees their errors too.</summary>
    public float SortOrder => 50;

    public async Task<ExecutionResult> ExecuteAsync(ExecutionOptions options, ExecutionDelegate next)
    {
        var result = await next(options);
        if (result.Errors is { } errors && errors.Count > _max)
        {
            var kept = new ExecutionErrors();
            for (var i = 0; i < _max; i++) kept.Add(errors[i]);
            kept.Add(new ErrorsLeftOutError(errors.Count - _max));
            result.Errors = kept;
        }
        return result;
    }
}
