using GraphQL;
using GraphQL.Execution;

namespace Imail.Api.Transport;

/// <summary>
/// GraphQL.NET's error shaping, plus one promise to clients: every error carries
/// <c>extensions.code</c>. A resolver that throws a bare <see cref="ExecutionError"/> has none;
/// it gets <c>EXECUTION_ERROR</c>. Exception details still follow
/// <see cref="ErrorInfoProviderOptions.ExposeExceptionDetails"/>.
/// </summary>
internal sealed class CodedErrorInfoProvider(ErrorInfoProviderOptions options) : ErrorInfoProvider(options)
{
    public override ErrorInfo GetInfo(ExecutionError executionError)
    {
        if (executionError.Code is null)
        {
            executionError.Code = executionError is UnhandledError
                ? TransportErrorCodes.InternalServerError
                : TransportErrorCodes.ExecutionError;
        }
        return base.GetInfo(executionError);
    }
}
