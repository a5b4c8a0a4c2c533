using GraphQL;
using GraphQL.DI;
using GraphQL.Execution;
using GraphQL.Validation;
using GraphQLParser.AST;
using GraphQLParser.Exceptions;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;

namespace Imail.Api.GraphQL.Http;

/// <summary>
/// The parsed-document cache, as a step of GraphQL.NET's execution pipeline, so every transport
/// (HTTP, WebSocket) shares it. Keyed by the query text, bounded by the total length of the texts
/// kept; a document enters only after it passed validation and ran.
/// <para>
/// On a hit the document is neither parsed nor checked again by the specification's rules
/// (<see cref="DocumentValidator.CoreRules"/>): they depend on the document and the schema only.
/// Every other rule still runs: our access rule depends on the caller, the complexity analyzer on
/// the variables (<c>first: $n</c>), the HTTP rule on the method. GraphQL.NET's own caches run only
/// <see cref="ExecutionOptions.CachedDocumentValidationRules"/> on a hit, which a rule registered
/// without <c>useForCachedDocuments: true</c> is missing from; that default would let a cached
/// document skip authorization, so here a rule is skipped only when it is a core rule.
/// </para>
/// <para>
/// On a miss the document is parsed here, and refused before any rule walks it when it holds
/// more fields and directives than <see cref="GraphQLOptions.MaxFields"/> or nests fragments absurdly deep.
/// </para>
/// </summary>
public sealed class DocumentCache : IConfigureExecution, IDisposable
{
    private static readonly HashSet<IValidationRule> CoreRules = new(DocumentValidator.CoreRules, ReferenceEqualityComparer.Instance);

    private readonly MemoryCache _documents;
    private readonly IDocumentBuilder _builder;
    private readonly int _maxFields;

    public DocumentCache(IDocumentBuilder builder, IOptions<GraphQLOptions> options)
    {
        _builder = builder;
        _maxFields = options.Value.MaxFields;
        _documents = new MemoryCache(new MemoryCacheOptions { SizeLimit = options.Value.DocumentCacheSize, TrackStatistics = true });
    }

    /// <summary>After the option configurations (100) that add validation rules, as GraphQL.NET's caches do.</summary>
    public float SortOrder => 200;

    public MemoryCacheStatistics? Statistics => _documents.GetCurrentStatistics();

    public async Task<ExecutionResult> ExecuteAsync(ExecutionOptions options, ExecutionDelegate next)
    {
        if (options.Document is not null || options.Query is not { } query) return await next(options);

        if (_documents.TryGetValue(query, out GraphQLDocument? cached))
        {
            options.Document = cached;
            options.ValidationRules = RulesForCachedDocument(options);
            return await next(options);
        }

        var document = Parse(query);
        switch (DocumentLimits.Check(document, _maxFields))
        {
            case DocumentLimits.Verdict.TooManyFields:
                return new ExecutionResult(new TransportValidationError(TransportErrorCodes.TooManyFields,
                    $"The document holds more than {_maxFields} fields and directives (aliases included, fragments counted where spread)."));
            case DocumentLimits.Verdict.TooDeep:
                return new ExecutionResult(new TransportValidationError(TransportErrorCodes.QueryTooDeep,
                    $"The document nests fragments more than {DocumentLimits.MaxFragmentNesting} deep."));
        }

        options.Document = document;
        var result = await next(options);
        if (result.Executed) // validation passed
        {
            using var entry = _documents.CreateEntry(query);
            entry.Value = document;
            entry.Size = query.Length;
        }
        return result;
    }

    private GraphQLDocument Parse(string query)
    {
        try
        {
            return _builder.Build(query); // a syntax error becomes GraphQL.NET's SyntaxError (SYNTAX_ERROR)
        }
        catch (GraphQLMaxDepthExceededException)
        {
            // Not a syntax error to the parser, but the client's document all the same: never a 500.
            throw new TransportValidationError(TransportErrorCodes.QueryTooDeep, "The document nests too deeply to be parsed.");
        }
    }

    private static List<IValidationRule> RulesForCachedDocument(ExecutionOptions options)
    {
        var rules = new List<IValidationRule>(4);
        if (options.ValidationRules is { } all)
        {
            foreach (var rule in all)
                if (!CoreRules.Contains(rule)) rules.Add(rule);
        }
        if (options.CachedDocumentValidationRules is { } extra)
        {
            foreach (var rule in extra)
                if (!rules.Contains(rule)) rules.Add(rule);
        }
        return rules;
    }

    public void Dispose() => _documents.Dispose();
}
