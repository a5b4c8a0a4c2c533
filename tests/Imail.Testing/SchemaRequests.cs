using GraphQL.Types;

namespace Imail.Testing;

/// <summary>
/// Requests generated from the schema itself, so tests that must cover every field (R5 access,
/// R6 hostile input) cover a new field without being edited: each root field with its required
/// arguments filled in, a value of any input type, the string leaves of an argument.
/// </summary>
public static class SchemaRequests
{
    /// <summary>A root field and the operation it belongs to (<c>query</c> or <c>mutation</c>).</summary>
    public sealed record RootField(string Operation, FieldType Field)
    {
        public override string ToString() => $"{Operation}.{Field.Name}";
    }

    /// <summary>Where a string goes: an argument, and the path of input fields inside it (empty for the argument itself).</summary>
    public sealed record StringLeaf(RootField Root, string Argument, string[] Path)
    {
        public override string ToString() => $"{Root}({Argument}{string.Concat(Path.Select(p => "." + p))})";
    }

    public static IEnumerable<RootField> RootFields(ISchema schema)
    {
        schema.Initialize();
        foreach (var (operation, root) in new[] { ("query", (IComplexGraphType?)schema.Query), ("mutation", schema.Mutation) })
            foreach (var field in root?.Fields ?? [])
                yield return new RootField(operation, field);
    }

    /// <summary>Every string-typed leaf reachable from the root fields' arguments.</summary>
    public static IEnumerable<StringLeaf> StringLeaves(ISchema schema)
    {
        foreach (var root in RootFields(schema))
            foreach (var argument in root.Field.Arguments ?? [])
                foreach (var path in StringPaths(argument.ResolvedType!, [], 0))
                    yield return new StringLeaf(root, argument.Name, path);
    }

    /// <summary>
    /// The root field with every required argument filled in (IDs from <paramref name="id"/>),
    /// selecting <c>__typename</c> (and a payload's <c>errors</c>); <paramref name="leaf"/>, when
    /// given, is set to <paramref name="value"/> and its argument is sent even when optional.
    /// </summary>
    public static (string Query, Dictionary<string, object?> Variables) Request(RootField root, StringLeaf? leaf = null, string? value = null,
        Func<string>? id = null)
    {
        id ??= () => Guid.NewGuid().ToString();
        var declarations = new List<string>();
        var arguments = new List<string>();
        var variables = new Dictionary<string, object?>();
        foreach (var argument in root.Field.Arguments ?? [])
        {
            var isTarget = leaf?.Argument == argument.Name;
            if (!isTarget && argument.ResolvedType is not NonNullGraphType) continue;
            var name = "v" + declarations.Count;
            declarations.Add($"${name}: {Print(argument.ResolvedType!)}");
            arguments.Add($"{argument.Name}: ${name}");
            variables[name] = Value(argument.ResolvedType!, isTarget ? leaf!.Path : null, value ?? "x", id);
        }
        var selection = Unwrap(root.Field.ResolvedType!) switch
        {
            IComplexGraphType complex when complex.Fields.Any(f => f.Name == "errors") => " { __typename errors { code message } }",
            IComplexGraphType => " { __typename }",
            _ => "",
        };
        var header = declarations.Count == 0 ? "" : $"({string.Join(", ", declarations)})";
        var args = arguments.Count == 0 ? "" : $"({string.Join(", ", arguments)})";
        return ($"{root.Operation}{header} {{ {root.Field.Name}{args}{selection} }}", variables);
    }

    /// <summary>A value of the type: required input fields filled in, the path (when given) leading to <paramref name="leafValue"/>.</summary>
    public static object? Value(IGraphType type, string[]? path, string leafValue, Func<string> id)
    {
        switch (type)
        {
            case NonNullGraphType n: return Value(n.ResolvedType!, path, leafValue, id);
            case ListGraphType l: return new[] { Value(l.ResolvedType!, path, leafValue, id) };
            case StringGraphType or IdGraphType when path is { Length: 0 }: return leafValue;
            case IdGraphType: return id();
            case StringGraphType: return "x";
            case IntGraphType: return 1;
            case BooleanGraphType: return true;
            case FloatGraphType: return 1.0;
            case DateTimeOffsetGraphType or DateTimeGraphType: return "2026-01-01T00:00:00Z";
            case EnumerationGraphType e: return e.Values.First().Name;
            case IInputObjectGraphType input:
                var map = new Dictionary<string, object?>();
                foreach (var field in input.Fields)
                {
                    var onPath = path is { Length: > 0 } && path[0] == field.Name;
                    if (onPath) map[field.Name] = Value(field.ResolvedType!, path![1..], leafValue, id);
                    else if (field.ResolvedType is NonNullGraphType && field.DefaultValue is null) map[field.Name] = Value(field.ResolvedType, null, leafValue, id);
                }
                return map;
            default: return "x";
        }
    }

    public static IGraphType Unwrap(IGraphType type) => type switch
    {
        NonNullGraphType n => Unwrap(n.ResolvedType!),
        ListGraphType l => Unwrap(l.ResolvedType!),
        _ => type,
    };

    private static IEnumerable<string[]> StringPaths(IGraphType type, string[] path, int depth)
    {
        var named = Unwrap(type);
        if (named is StringGraphType or IdGraphType) yield return path;
        else if (named is IInputObjectGraphType input && depth < 5)
            foreach (var field in input.Fields)
                foreach (var inner in StringPaths(field.ResolvedType!, [.. path, field.Name], depth + 1))
                    yield return inner;
    }

    private static string Print(IGraphType type) => type switch
    {
        NonNullGraphType n => Print(n.ResolvedType!) + "!",
        ListGraphType l => $"[{Print(l.ResolvedType!)}]",
        _ => type.Name,
    };
}
