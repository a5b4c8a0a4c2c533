using GraphQL;
using GraphQL.Types;
using GraphQL.Validation;
using GraphQL.Validation.Complexity;
using GraphQL.Validation.Rules.Custom;
using GraphQLParser;
using GraphQLParser.AST;
using Microsoft.Extensions.Options;

namespace Imail.Api.GraphQL;

/// <summary>
/// GraphQL.NET's complexity analyzer (<see cref="GraphQLOptions.MaxDepth"/>,
/// <see cref="GraphQLOptions.MaxComplexity"/>) for the data an operation reads, and a bound of its
/// own for introspection (<see cref="IntrospectionBound"/>).
/// </summary>
/// <remarks>
/// The analyzer prices a list at 20 items (<c>__schema.types</c> at the schema's actual count of
/// types) and counts every nesting level. That suits data (<c>users { consents }</c> reads rows),
/// but it refused the introspection queries the tools send: Banana Cake Pop's cost 815,169
/// (types × fields × args × type references), and graphql-js's nests 15 deep (its <c>ofType</c>
/// chain). Raising the data limits to let those through would admit data queries 40 times as
/// expensive. Introspection is answered from the schema in memory, without the database, so it
/// is measured apart: its selections weigh nothing in the data budget and count nothing in the
/// data depth, and <see cref="IntrospectionBound"/> keeps it from becoming an amplifier of its
/// own. An operation without <c>__schema</c> or <c>__type</c> is analyzed exactly as before.
/// </remarks>
public sealed class ComplexityRule(IOptions<GraphQLOptions> options) : ComplexityValidationRule(Analyzer(options.Value))
{
    private readonly GraphQLOptions _limits = options.Value;

    private static ComplexityOptions Analyzer(GraphQLOptions limits)
    {
        var analyzer = new ComplexityOptions { MaxDepth = limits.MaxDepth, MaxComplexity = limits.MaxComplexity };
        var standard = analyzer.DefaultComplexityImpactDelegate;
        // __schema and __type (and so all below them) cost nothing here; IntrospectionBound prices them.
        analyzer.DefaultComplexityImpactDelegate = field =>
            IntrospectionBound.IsRoot(field.FieldDefinition, field.ValidationContext.Schema) ? new(0, 0) : standard(field);
        return analyzer;
    }

    public override async ValueTask<INodeVisitor?> GetPostNodeVisitorAsync(ValidationContext context)
    {
        // As GraphQL.NET's rule: a document the spec's rules refused (fragment cycles…) is not measured.
        if (context.HasErrors) return null;
        if (!IntrospectionBound.MayIntrospect(context.Document)) return await base.GetPostNodeVisitorAsync(context);

        var measure = IntrospectionBound.Measure(context);
        if (measure.Roots == 0) return await base.GetPostNodeVisitorAsync(context);
        if (measure.Refusal(context, _limits) is { } refusal)
        {
            context.ReportError(refusal);
            return null;
        }
        // The analyzer's depth would count the introspection levels; the data's own depth is measured with them.
        var (complexity, _) = await CalculateComplexityAsync(context);
        await ValidateComplexityAsync(context, complexity, measure.DataDepth);
        return null;
    }
}

/// <summary>
/// The bound on introspection: the selections under <c>__schema</c> and <c>__type</c>, wherever
/// the operation makes them, fragments counted where spread.
/// </summary>
/// <remarks>
/// Three measures, each with its reason:
/// <list type="bullet">
/// <item><b>Nested lists, at most <see cref="MaxListNesting"/>.</b> The amplifier in introspection
/// is a list inside a list: <c>types { fields { type { fields { type { fields …</c> revisits the
/// type graph and multiplies the answer by the number of fields at each level without describing
/// anything new. A schema's full description needs three levels (<c>types → fields → args</c>); the
/// standard queries of graphql-js and Banana Cake Pop use exactly that, and no more.</item>
/// <item><b>Depth, at most <see cref="GraphQLOptions.IntrospectionMaxDepth"/></b>, counted as the
/// data's depth is. The rest of the depth is <c>ofType</c> chains, one object each: graphql-js asks
/// 9 levels (depth 15), Banana Cake Pop 5 (depth 11). The default leaves room for tools asking a
/// few more; no real type wraps more than a handful of times, so deeper only answers nulls.</item>
/// <item><b>Cost, at most <see cref="GraphQLOptions.IntrospectionMaxComplexity"/></b> for all of
/// the operation's introspection together: each field 1, times 20 for each list above it, the
/// analyzer's arithmetic, but with <c>types</c> at 20 too, so the cost is a property of the
/// document and a growing schema never pushes the standard queries over the bound. It stops
/// width and repetition: many aliases of <c>__schema</c>, hundreds of fields under three lists.
/// graphql-js's query with every option costs 347,113, Banana Cake Pop's 227,069; the default
/// (600,000) still admits graphql-js asking <c>ofType</c> as deep as the depth bound allows
/// (about 500,000), and refuses three copies of Banana Cake Pop's.</item>
/// </list>
/// </remarks>
internal static class IntrospectionBound
{
    public const int MaxListNesting = 3;
    public const string ErrorCode = "INTROSPECTION_LIMIT";

    /// <summary>The list size the cost assumes, the one GraphQL.NET's analyzer assumes for data.</summary>
    private static readonly double ListSize = new ComplexityOptions().DefaultListImpactMultiplier;

    public static bool IsRoot(FieldType field, ISchema schema) =>
        ReferenceEquals(field, schema.SchemaMetaFieldType) || ReferenceEquals(field, schema.TypeMetaFieldType);

    /// <summary>
    /// Whether the text names <c>__schema</c> or <c>__type</c> at all: a field must be written out to
    /// be selected, so a document that never names them (nearly all) skips the walk.
    /// </summary>
    public static bool MayIntrospect(GraphQLDocument document)
    {
        var text = document.Source.Span;
        if (text.IndexOf("__schema".AsSpan(), StringComparison.Ordinal) >= 0) return true;
        for (var at = text.IndexOf("__type".AsSpan(), StringComparison.Ordinal); at >= 0;)
        {
            var end = at + "__type".Length;
            if (end == text.Length || !IsNameChar(text[end])) return true; // not __typename
            var next = text[end..].IndexOf("__type".AsSpan(), StringComparison.Ordinal);
            at = next < 0 ? -1 : end + next;
        }
        return false;

        static bool IsNameChar(char c) => c == '_' || char.IsAsciiLetterOrDigit(c);
    }

    public static Measurement Measure(ValidationContext context)
    {
        var walk = new Walk(context);
        var root = context.Operation.Operation switch
        {
            OperationType.Mutation => context.Schema.Mutation,
            OperationType.Subscription => context.Schema.Subscription,
            _ => context.Schema.Query,
        };
        if (root is not null) walk.Selections(context.Operation.SelectionSet, root, 1, null);
        return walk.Result;
    }

    /// <summary>What one operation asks of introspection, and the depth of the rest of it.</summary>
    public sealed class Measurement
    {
        public int Roots { get; internal set; }
        public double Cost { get; internal set; }
        public int Depth { get; internal set; }
        public int ListNesting { get; internal set; }
        public int DataDepth { get; internal set; } = 1;
        internal GraphQLField? DeepestList { get; set; }
        internal GraphQLField? Deepest { get; set; }

        public ValidationError? Refusal(ValidationContext context, GraphQLOptions limits)
        {
            if (ListNesting > MaxListNesting)
                return new Error(context, DeepestList!,
                    $"Introspection nests lists {ListNesting} deep ('{DeepestList!.Name.StringValue}'); at most {MaxListNesting} are answered (types → fields → args describes a whole schema).");
            if (Depth > limits.IntrospectionMaxDepth)
                return new Error(context, Deepest!,
                    $"Introspection is too nested: depth {Depth}; at most {limits.IntrospectionMaxDepth}.");
            if (Cost > limits.IntrospectionMaxComplexity)
                return new Error(context, context.Operation,
                    $"Introspection is too complex: {Cost:0} for the operation; at most {limits.IntrospectionMaxComplexity} (a full description of the schema costs about 350,000).");
            return null;
        }
    }

    public sealed class Error : ValidationError
    {
        public Error(ValidationContext context, ASTNode node, string message)
            : base(context.Document.Source, null, message, node) => Code = ErrorCode;
    }

    /// <summary>Where a walk is inside introspection: the multiplier above it and the lists above it.</summary>
    private readonly record struct Inside(double Standing, int Lists);

    private sealed class Walk(ValidationContext context)
    {
        public Measurement Result { get; } = new();

        public void Selections(GraphQLSelectionSet set, IGraphType parent, int depth, Inside? inside)
        {
            foreach (var selection in set.Selections)
            {
                if (!context.ShouldIncludeNode(selection)) continue; // @skip/@include, as the analyzer reads them
                switch (selection)
                {
                    case GraphQLField field:
                        Field(field, parent, depth, inside);
                        break;
                    case GraphQLInlineFragment inline:
                        Selections(inline.SelectionSet, TypeOf(inline.TypeCondition) ?? parent, depth, inside);
                        break;
                    case GraphQLFragmentSpread spread:
                        // Validation passed, so the fragment exists and no spreads form a cycle.
                        if (context.Document.FindFragmentDefinition(spread.FragmentName.Name.Value) is { } fragment
                            && TypeOf(fragment.TypeCondition) is { } type)
                        {
                            Selections(fragment.SelectionSet, type, depth, inside);
                        }
                        break;
                }
            }
        }

        private void Field(GraphQLField field, IGraphType parent, int depth, Inside? inside)
        {
            var schema = context.Schema;
            var name = field.Name.Value;
            var definition = name == "__typename" ? schema.TypeNameMetaFieldType
                : name == "__schema" && parent == schema.Query ? schema.SchemaMetaFieldType
                : name == "__type" && parent == schema.Query ? schema.TypeMetaFieldType
                : (parent as IComplexGraphType)?.GetField(name);
            if (definition?.ResolvedType is not { } type) return;

            if (inside is null && IsRoot(definition, schema))
            {
                Result.Roots++;
                inside = new Inside(1, 0);
            }
            if (inside is { } at)
            {
                Result.Cost += at.Standing;
                if (field.SelectionSet is null) return;
                var list = IsList(type);
                var below = new Inside(list ? at.Standing * ListSize : at.Standing, list ? at.Lists + 1 : at.Lists);
                if (below.Lists > Result.ListNesting)
                {
                    Result.ListNesting = below.Lists;
                    Result.DeepestList = field;
                }
                if (depth + 1 > Result.Depth)
                {
                    Result.Depth = depth + 1;
                    Result.Deepest = field;
                }
                Selections(field.SelectionSet, type.GetNamedType(), depth + 1, below);
            }
            else if (field.SelectionSet is not null)
            {
                Result.DataDepth = Math.Max(Result.DataDepth, depth + 1);
                Selections(field.SelectionSet, type.GetNamedType(), depth + 1, null);
            }
        }

        private IGraphType? TypeOf(GraphQLTypeCondition? condition) =>
            condition is null ? null : context.Schema.AllTypes[condition.Type.Name.StringValue];

        private static bool IsList(IGraphType type) =>
            (type is NonNullGraphType nonNull ? nonNull.ResolvedType : type) is ListGraphType;
    }
}
