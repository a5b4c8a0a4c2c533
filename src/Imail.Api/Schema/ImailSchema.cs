using GraphQL.Types;

namespace Imail.Api.Schema;

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

/// <summary>Singleton: building a schema per request costs ~100× (DESIGN.md).</summary>
public sealed class ImailSchema : global::GraphQL.Types.Schema
{
    public ImailSchema(IServiceProvider services, QueryType query, MutationType mutation) : base(services)
    {
        Description = "Imail: the privacy promises of the Imail Solutions sites (CINQ-CINQ SPRL), as an API.";
        Query = query;
        Mutation = mutation;
        // Reached only through the UserError interface, so named here.
        RegisterType(typeof(InputErrorType));
        RegisterType(typeof(ConflictErrorType));
        RegisterType(typeof(NotFoundErrorType));
    }
}
