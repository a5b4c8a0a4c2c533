namespace Imail.Api.GraphQL;

/// <summary><c>Imail:GraphQL</c>: the limits of the schema, of its execution and of the HTTP transport, in one section.</summary>
public sealed class GraphQLOptions
{
    public const string Section = "Imail:GraphQL";

    /// <summary>Deepest selection nesting accepted.</summary>
    public int MaxDepth { get; set; } = 12;

    /// <summary>Largest complexity accepted (GraphQL.NET's analyzer: fields weighted by list sizes).</summary>
    public int MaxComplexity { get; set; } = 20_000;

    /// <summary>Longest string accepted in any argument or variable, in characters (<c>STRING_TOO_LONG</c> above it); fields have their own, smaller limits.</summary>
    public int MaxStringLength { get; set; } = 32 * 1024;

    /// <summary>
    /// Deepest introspection accepted, counted as <see cref="MaxDepth"/> is (graphql-js's standard
    /// query: 15). Introspection is bounded apart from data: see <see cref="IntrospectionBound"/>.
    /// </summary>
    public int IntrospectionMaxDepth { get; set; } = 20;

    /// <summary>
    /// Largest introspection cost accepted per operation: each field 1, times 20 for each list above
    /// it (graphql-js's standard query with every option: 347,113; Banana Cake Pop's: 227,069).
    /// </summary>
    public int IntrospectionMaxComplexity { get; set; } = 600_000;

    /// <summary>Largest POST body accepted, in bytes (413 above it).</summary>
    public long MaxRequestBytes { get; set; } = 256 * 1024;

    /// <summary>Longest GraphQL document accepted, in characters (413 above it).</summary>
    public int MaxQueryLength { get; set; } = 64 * 1024;

    /// <summary>
    /// Most field selections and directives a document may hold, aliases included and fragments
    /// expanded where they are spread; stops alias, fragment and directive bombs before the
    /// validation rules walk them.
    /// </summary>
    public int MaxFields { get; set; } = 2_000;

    /// <summary>
    /// Most root fields a mutation may select (distinct response names, aliases and fragments
    /// included). Each one is a transaction of its own and may send e-mail; a front-end sends one
    /// per user action, so 5 leaves room for a client that saves a few things in one round trip
    /// while one request cannot become a batch job (20 aliased <c>signUp</c>s, 20 e-mails).
    /// </summary>
    public int MaxRootMutationFields { get; set; } = 5;

    /// <summary>
    /// Most errors one response carries; the rest are counted in a last <c>TOO_MANY_ERRORS</c>
    /// error. A client fixes a handful at a time; a document of repeated mistakes must not turn a
    /// 48 KB request into a megabyte of answer.
    /// </summary>
    public int MaxErrors { get; set; } = 100;

    /// <summary>Total length, in characters, of the query texts whose parsed documents are kept.</summary>
    public long DocumentCacheSize { get; set; } = 500_000;

    /// <summary>Whether exception details reach clients (Development only).</summary>
    public bool ExposeExceptionDetails { get; set; }
}
