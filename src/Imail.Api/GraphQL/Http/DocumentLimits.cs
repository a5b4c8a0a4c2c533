using GraphQLParser.AST;

namespace Imail.Api.GraphQL.Http;

/// <summary>
/// Counts what a document would make the server do before any validation rule walks it: the field
/// selections (aliases included) and the directives (on operations, variables, fields, fragments
/// and spreads), with every fragment counted each time it is spread. Directives count because each
/// one is validated and can be wrong on its own: <c>{ me @a @a @a … }</c> had no field to count
/// and answered one error per <c>@a</c>. A linear walk with one count per fragment, so a fragment
/// bomb costs its size, not its expansion.
/// </summary>
internal static class DocumentLimits
{
    /// <summary>Fragments spread inside fragments deeper than this are refused (real documents nest a handful).</summary>
    public const int MaxFragmentNesting = 32;

    public enum Verdict { Ok, TooManyFields, TooDeep }

    public static Verdict Check(GraphQLDocument document, int maxFields)
    {
        var counter = new Counter(document, maxFields);
        long raw = 0, expanded = 0;
        foreach (var definition in document.Definitions)
        {
            if (definition is not GraphQLExecutableDefinition executable) continue;
            raw = Counter.Saturate(raw + Counter.Own(executable) + Counter.RawCount(executable.SelectionSet), maxFields);
            if (executable is GraphQLOperationDefinition)
                expanded = Counter.Saturate(expanded + Counter.Own(executable) + counter.Expanded(executable.SelectionSet, 0), maxFields);
            if (counter.TooDeep) return Verdict.TooDeep;
        }
        return raw > maxFields || expanded > maxFields ? Verdict.TooManyFields : Verdict.Ok;
    }

    private sealed class Counter(GraphQLDocument document, int max)
    {
        private Dictionary<string, long>? _fragmentCounts; // -1 while being counted (a cycle counts as 0; validation reports it)
        private Dictionary<string, GraphQLFragmentDefinition>? _fragments;

        public bool TooDeep { get; private set; }

        public static long Saturate(long value, int max) => Math.Min(value, (long)max + 1);

        public static long Directives(IHasDirectivesNode node) => node.Directives?.Count ?? 0;

        /// <summary>A definition's own directives, and those of an operation's variables.</summary>
        public static long Own(GraphQLExecutableDefinition definition)
        {
            var count = Directives(definition);
            if (definition is GraphQLOperationDefinition { Variables: { } variables })
                foreach (var variable in variables.Items) count += Directives(variable);
            return count;
        }

        public static long RawCount(GraphQLSelectionSet? set)
        {
            if (set is null) return 0;
            long count = 0;
            foreach (var selection in set.Selections)
            {
                count += selection switch
                {
                    GraphQLField field => 1 + Directives(field) + RawCount(field.SelectionSet),
                    GraphQLInlineFragment inline => Directives(inline) + RawCount(inline.SelectionSet),
                    GraphQLFragmentSpread spread => Directives(spread),
                    _ => 0,
                };
            }
            return count;
        }

        public long Expanded(GraphQLSelectionSet? set, int nesting)
        {
            if (set is null) return 0;
            long count = 0;
            foreach (var selection in set.Selections)
            {
                count += selection switch
                {
                    GraphQLField field => 1 + Directives(field) + Expanded(field.SelectionSet, nesting),
                    GraphQLInlineFragment inline => Directives(inline) + Expanded(inline.SelectionSet, nesting),
                    GraphQLFragmentSpread spread => Directives(spread) + Fragment(spread.FragmentName.Name.StringValue, nesting + 1),
                    _ => 0,
                };
                count = Saturate(count, max);
                if (TooDeep) return count;
            }
            return count;
        }

        private long Fragment(string name, int nesting)
        {
            if (nesting > MaxFragmentNesting)
            {
                TooDeep = true;
                return 0;
            }
            _fragmentCounts ??= [];
            if (_fragmentCounts.TryGetValue(name, out var known)) return Math.Max(known, 0);
            _fragments ??= document.Definitions.OfType<GraphQLFragmentDefinition>()
                .GroupBy(f => f.FragmentName.Name.StringValue).ToDictionary(g => g.Key, g => g.First());
            if (!_fragments.TryGetValue(name, out var fragment)) return 0; // unknown fragment: validation reports it
            _fragmentCounts[name] = -1;
            var count = Saturate(Directives(fragment) + Expanded(fragment.SelectionSet, nesting), max);
            _fragmentCounts[name] = count;
            return count;
        }
    }
}
