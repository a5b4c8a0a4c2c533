using GraphQL.Validation;
using GraphQLParser.AST;

namespace Imail.Api.GraphQL.Http;

/// <summary>
/// Which operations a transport carries: a plain HTTP GET only queries (a mutation is refused and
/// answered 405, as the GraphQL-over-HTTP spec demands), a plain POST queries and mutations;
/// subscriptions need a stream: SSE (GET without mutations, POST with) or a WebSocket (everything).
/// A validation rule so it also runs for cached documents, and it reads only the selected
/// operation, so it costs no walk of the document.
/// </summary>
internal sealed class HttpOperationRule : ValidationRuleBase
{
    public static readonly HttpOperationRule Get = new(allowMutations: false, allowSubscriptions: false);
    public static readonly HttpOperationRule Post = new(allowMutations: true, allowSubscriptions: false);
    public static readonly HttpOperationRule StreamGet = new(allowMutations: false, allowSubscriptions: true);
    public static readonly HttpOperationRule Stream = new(allowMutations: true, allowSubscriptions: true);

    private readonly bool _allowMutations;
    private readonly bool _allowSubscriptions;

    private HttpOperationRule(bool allowMutations, bool allowSubscriptions) => (_allowMutations, _allowSubscriptions) = (allowMutations, allowSubscriptions);

    public override ValueTask<INodeVisitor?> GetPreNodeVisitorAsync(ValidationContext context)
    {
        switch (context.Operation?.Operation)
        {
            case OperationType.Mutation when !_allowMutations:
                context.ReportError(new TransportValidationError(TransportErrorCodes.MethodNotAllowed,
                    "Mutations cannot run over GET: send them with POST."));
                break;
            case OperationType.Subscription when !_allowSubscriptions:
                context.ReportError(new TransportValidationError(TransportErrorCodes.SubscriptionNotSupported,
                    "Subscriptions cannot run over a plain HTTP request: use a WebSocket (graphql-transport-ws) or ask for text/event-stream (GraphQL over SSE)."));
                break;
        }
        return default;
    }
}
