using GraphQL;
using GraphQL.DI;
using Imail.Api.Hosting;

namespace Imail.Api.GraphQL.Http;

/// <summary>
/// A resolver (or a DataLoader, or a step before execution) that fails because PostgreSQL is
/// away answers <c>SERVICE_UNAVAILABLE</c> rather than GraphQL.NET's "Error trying to resolve
/// field" with the driver's exception inside. A step of the execution pipeline that wraps
/// whatever <see cref="ExecutionOptions.UnhandledExceptionDelegate"/> the transport set, so every
/// transport gets it; the transport's own delegate (logging) sees only the other failures.
/// </summary>
internal sealed class DatabaseOutageErrors : IConfigureExecution
{
    public float SortOrder => 60;

    public Task<ExecutionResult> ExecuteAsync(ExecutionOptions options, ExecutionDelegate next)
    {
        var inner = options.UnhandledExceptionDelegate;
        options.UnhandledExceptionDelegate = context =>
        {
            if (!DatabaseOutage.Is(context.OriginalException)) return inner(context);
            context.Exception = new ServiceUnavailableError(context.OriginalException);
            return Task.CompletedTask;
        };
        return next(options);
    }
}
