using GraphQLParser;
using GraphQLParser.AST;

namespace Imail.Api.GraphQL.Http;

/// <summary>
/// The root fields an operation will execute: one per response name (GraphQL merges equal
/// fields under one name into one execution), found through inline fragments and fragment
/// spreads at the root. Directives such as <c>@skip</c> are not evaluated: a skipped field counts.
/// </summary>
internal static class RootFields
{
    public static IReadOnlyList<GraphQLField> Of(GraphQLDocument document, GraphQLOperationDefinition operation)
    {
        var fields = new Dictionary<string, GraphQLField>();
        HashSet<string>? visited = null;
        Collect(operation.SelectionSet);
        return [.. fields.Values];

        void Collect(GraphQLSelectionSet set)
        {
            foreach (var selection in set.Selections)
            {
                switch (selection)
                {
                    case GraphQLField field:
                        fields.TryAdd((field.Alias?.Name ?? field.Name).StringValue, field);
                        break;
                    case GraphQLInlineFragment inline:
                        Collect(inline.SelectionSet);
                        break;
                    case GraphQLFragmentSpread spread:
                        var name = spread.FragmentName.Name.StringValue;
                        // Each fragment once: a cycle is the validation rules' to report.
                        if ((visited ??= []).Add(name) && document.FindFragmentDefinition(name) is { } fragment)
                            Collect(fragment.SelectionSet);
                        break;
                }
            }
        }
    }
}
