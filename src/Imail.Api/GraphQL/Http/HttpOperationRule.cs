using GraphQL.Validation;
using GraphQLParser.AST;

namespace Imail.Api.GraphQL.Http;

/// <summary>
/// Which operations a plain HTTP request may run: GET only queries (a mutation is refused and
/// answered 405, as the GraphQL-over-HTTP spec demands), POST queries and mutations; subscriptions
/// need a streaming transport. A validation rule so it also runs for cached documents, and it
/// reads only the selected operation, so it costs no walk of the document.
/// </summary>
internal sealed class HttpOperationRule : ValidationRuleBase
{
    public static readonly HttpOperationRule Get = new(allowMutations: false);
    public static readonly HttpOperationRule Post = new(allowMutations: true);

    private readonly bool _allowMutations;

    private HttpOperationRule(bool allowMutations) => _allowMutations = allowMutations;

    public override ValueTask<INodeVisitor?> GetPreNodeVisitorAsync(ValidationContext context)
    {
        switch (context.Operation?.Operation)
        {
            case OperationType.Mutation when !_allowMutations:
                context.ReportError(new TransportValidationError(TransportErrorCodes.MethodNotAllowed,
                    "Mutations cannot run over GET: send them with POST."));
                break;
            case OperationType.Subscription:
                context.ReportError(new TransportValidationError(TransportErrorCodes.SubscriptionNotSupported,
                    "Subscriptions cannot run over a plain HTTP request: use a WebSocket (graphql-transport-ws)."));
                break;
        }
        return default;
    }
}
