using GraphQL.Validation;
using GraphQLParser.AST;
using Microsoft.Extensions.Options;

namespace Imail.Api.GraphQL.Http;

/// <summary>
/// Refuses a mutation that selects more than <see cref="GraphQLOptions.MaxRootMutationFields"/>
/// root fields (<c>TOO_MANY_MUTATIONS</c>), before any of them runs. A validation rule, so it
/// also holds for cached documents and for every transport; it reads only the selected operation.
/// </summary>
internal sealed class MutationLimitRule(IOptions<GraphQLOptions> options) : ValidationRuleBase
{
    private readonly int _max = options.Value.MaxRootMutationFields;

    public override ValueTask<INodeVisitor?> GetPreNodeVisitorAsync(ValidationContext context)
    {
        if (context.Operation is { Operation: OperationType.Mutation } mutation)
        {
            var count = RootFields.Of(context.Document, mutation).Count;
            if (count > _max)
                context.ReportError(new TransportValidationError(TransportErrorCodes.TooManyMutations,
                    $"The mutation selects {count} root fields; at most {_max} run in one request: send the others in another request."));
        }
        return default;
    }
}
