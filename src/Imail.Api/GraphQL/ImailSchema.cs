using GraphQL;
using GraphQL.Introspection;
using GraphQL.Resolvers;
using GraphQL.Types;

namespace Imail.Api.GraphQL;

/// <summary>Adds a feature's fields to the root <c>Query</c> type.</summary>
public interface IQueryFields
{
    void AddTo(QueryType query);
}

/// <summary>Adds a feature's fields to the root <c>Mutation</c> type.</summary>
public interface IMutationFields
{
    void AddTo(MutationType mutation);
}

/// <summary>Adds a feature's fields to the root <c>Subscription</c> type (event streams over WebSocket or SSE).</summary>
public interface ISubscriptionFields
{
    void AddTo(SubscriptionType subscription);
}

public sealed class QueryType : ObjectGraphType
{
    public QueryType(IEnumerable<IQueryFields> features)
    {
        Name = "Query";
        Description = "What can be read. Each field says who may read it.";
        foreach (var feature in features) feature.AddTo(this);
    }
}

public sealed class MutationType : ObjectGraphType
{
    public MutationType(IEnumerable<IMutationFields> features)
    {
        Name = "Mutation";
        Description = "What can be changed. Every mutation answers a payload with its result and typed `errors`.";
        foreach (var feature in features) feature.AddTo(this);
    }
}

public sealed class SubscriptionType : ObjectGraphType
{
    public SubscriptionType(IEnumerable<ISubscriptionFields> features)
    {
        Name = "Subscription";
        Description = "What can be followed as it happens, over a WebSocket (`graphql-transport-ws`) or Server-Sent Events (docs/subscriptions.md). Each field says who may follow it.";
        foreach (var feature in features) feature.AddTo(this);
    }
}

/// <summary>Singleton: building a schema per request costs ~100× (DESIGN.md).</summary>
public sealed class ImailSchema : global::GraphQL.Types.Schema
{
    public ImailSchema(IServiceProvider services, QueryType query, MutationType mutation, SubscriptionType subscription) : base(services)
    {
        Description = "Imail: the privacy promises of the Imail Solutions sites (CINQ-CINQ SPRL), as an API.";
        // Asked for by the introspection queries of graphql-js (with the options code generators turn
        // on) and of Banana Cake Pop: __Directive.isRepeatable, args(includeDeprecated:),
        // __InputValue.isDeprecated. Without them GraphQL.NET refuses those queries as invalid.
        Features.RepeatableDirectives = true;
        Features.DeprecationOfInputValues = true;
        Query = query;
        Mutation = mutation;
        Subscription = subscription;
        // Reached only through the UserError interface, so named here.
        RegisterType(typeof(InputErrorType));
        RegisterType(typeof(ConflictErrorType));
        RegisterType(typeof(NotFoundErrorType));
        RegisterType(typeof(ForbiddenErrorType));
    }

    protected override void OnBeforeInitializeType(IGraphType graphType)
    {
        // Introspection as the current specification has it, where GraphQL.NET 8 stops short.
        // graphql-js asks for these with the options code generators turn on, and Banana Cake Pop
        // once its probes see them or input-value deprecation; without them the whole introspection
        // query is refused as invalid.
        switch (graphType)
        {
            case __Type type when type.GetField("specifiedByURL") is null:
                // No scalar here names a specification, so the field answers null, as the spec allows.
                type.Field<StringGraphType>("specifiedByURL")
                    .Description("The URL of the specification a custom scalar follows; null here.")
                    .Resolve(_ => null);
                break;
            case __Directive directive when directive.GetField("args") is { } args && args.Arguments?.Find("includeDeprecated") is null:
                args.Arguments ??= new QueryArguments();
                args.Arguments.Add(new QueryArgument<BooleanGraphType> { Name = "includeDeprecated", DefaultValue = false });
                args.Resolver = new FuncFieldResolver<Directive, IEnumerable<QueryArgument>>(context =>
                {
                    IEnumerable<QueryArgument> all = context.Source.Arguments ?? [];
                    return context.GetArgument("includeDeprecated", false) ? all : all.Where(a => a.DeprecationReason is null);
                });
                break;
        }
    }
}
