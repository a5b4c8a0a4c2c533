using GraphQL.Types;
using Imail.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Imail.Api.Tests.Transport;

/// <summary>
/// Issue 8 (item 11, R6): every string argument of every root field — found in the schema, inside
/// input objects and lists too — sent with NUL, a 200 KB value and a bidi override, as every role.
/// Each answer is a typed error or the documented behaviour: never a 500, never an unhandled
/// exception (the test host exposes exception details, so an unhandled error shows as
/// <c>extensions.details</c>), never a database error code. A new field is covered without
/// touching this test.
/// </summary>
public sealed class HostileStringArgumentsTests(ImailApiFactory api) : IClassFixture<ImailApiFactory>
{
    private static readonly Dictionary<string, string> Hostile = new()
    {
        ["NUL"] = "a\u0000b",
        ["200 KB"] = new string('x', 200 * 1024),
        ["bidi override"] = "admin\u202Etxt.exe",
    };

    private static readonly string[] UnhandledCodes = ["INTERNAL_SERVER_ERROR", "POSTGRES", "DB_UPDATE", "NPGSQL", "INVALID_OPERATION", "NULL_REFERENCE", "ARGUMENT", "FORMAT", "ENCODER_FALLBACK"];

    public sealed record Target(string Operation, string Field, string Argument, string[] Path, IGraphType Type)
    {
        public override string ToString() => $"{Operation}.{Field}({Argument}{string.Concat(Path.Select(p => "." + p))})";
    }

    [Fact]
    public async Task Item11_EveryStringArgument_WithNulA200KbValueOrABidiOverride_AsEveryRole_GetsATypedAnswer()
    {
        var schema = api.Services.GetRequiredService<ISchema>();
        schema.Initialize();
        var targets = Targets(schema).ToList();
        Assert.True(targets.Count >= 30, $"Only {targets.Count} string arguments found: the walk is broken."); // today: every input of the API
        var user = await api.CreateUserAsync($"{Guid.NewGuid():N}@example.org");
        var callers = new Dictionary<string, string?>
        {
            ["anonymous"] = null,
            ["user"] = api.UserToken(user.Id),
            ["partner"] = api.Token("partner", "partner-test"),
            ["staff"] = api.StaffToken(),
        };
        var failures = new List<string>();

        foreach (var target in targets)
            foreach (var (valueName, value) in Hostile)
                foreach (var (role, token) in callers)
                {
                    var (query, variables) = Request(schema, target, value);
                    var response = await api.GraphQLAsync(query, variables, token);
                    var problem = response.Status >= 500 ? $"HTTP {response.Status}"
                        : (response.Errors ?? []).FirstOrDefault(e => e?["extensions"]?["details"]?.ToString().Contains("UnhandledError") == true
                                                                   || UnhandledCodes.Contains((string?)e?["extensions"]?["code"])) is { } error
                            ? $"unhandled: {error["extensions"]?["code"]} {Cut(error["message"]?.ToString())}"
                        : response.Errors is null && response.Data is null ? "no data, no errors" : null;
                    if (problem is not null) failures.Add($"{target} with {valueName} as {role}: {problem}");
                }

        Assert.True(failures.Count == 0, $"{failures.Count} answers were not typed:\n" + string.Join("\n", failures.Take(40)));
    }

    [Fact]
    public async Task Item11_ANulByte_IsRefusedBeforeAnythingRuns_WithATypedCode_AndWritesNothing()
    {
        var before = await api.ExecuteDbAsync(db => Task.FromResult(db.Users.Count()));

        var response = await api.GraphQLAsync("mutation($i: SignUpInput!) { signUp(input: $i) { user { id } errors { code } } }",
            new { i = new { email = "a\u0000@example.org", displayName = "NUL", locale = "fr" } });

        Assert.Equal(400, response.Status);
        Assert.Equal(["INVALID_CHARACTERS"], response.ErrorCodes);
        Assert.DoesNotContain("\\u0000", response.Body["errors"]![0]!["message"]!.ToJsonString()); // named, not echoed
        Assert.Equal(before, await api.ExecuteDbAsync(db => Task.FromResult(db.Users.Count())));
    }

    [Theory]
    [InlineData("Ali\u202Ece")]
    [InlineData("Alice\u200B")]
    [InlineData("\u3164")]
    [InlineData("Ali\tce")]
    public async Task Item11_InvisibleAndDirectionChangingCharacters_AreRefusedInNames(string displayName)
    {
        var response = await api.GraphQLAsync("mutation($i: SignUpInput!) { signUp(input: $i) { user { id } errors { code message } } }",
            new { i = new { email = $"{Guid.NewGuid():N}@example.org", displayName, locale = "fr" } });

        var error = Assert.Single(response.DataOrFail()["signUp"]!["errors"]!.AsArray())!;
        Assert.Equal("INVALID_DISPLAY_NAME", (string?)error["code"]);
        Assert.DoesNotContain(displayName, (string?)error["message"]);
    }

    [Fact]
    public async Task Item11_AnEmailAddressWithAnInvisibleOrDirectionCharacter_IsNotOneWeCanWriteTo()
    {
        foreach (var email in new[] { "ab\u200B@example.org", "a\u202Eb@example.org", "a\u00ADb@example.org" })
        {
            var response = await api.GraphQLAsync("mutation($i: SignUpInput!) { signUp(input: $i) { user { id } errors { code } } }",
                new { i = new { email, displayName = "Mail", locale = "fr" } });
            Assert.Equal("INVALID_EMAIL", (string?)response.DataOrFail()["signUp"]!["errors"]![0]!["code"]);
        }
    }

    /// <summary>Every string-typed leaf reachable from a root field's arguments.</summary>
    private static IEnumerable<Target> Targets(ISchema schema)
    {
        foreach (var (operation, root) in new[] { ("query", (IComplexGraphType?)schema.Query), ("mutation", schema.Mutation) })
            foreach (var field in root?.Fields ?? [])
                foreach (var argument in field.Arguments ?? [])
                    foreach (var path in StringPaths(argument.ResolvedType!, [], 0))
                        yield return new Target(operation, field.Name, argument.Name, path, argument.ResolvedType!);
    }

    private static IEnumerable<string[]> StringPaths(IGraphType type, string[] path, int depth)
    {
        var named = Unwrap(type);
        if (named is StringGraphType or IdGraphType) yield return path;
        else if (named is IInputObjectGraphType input && depth < 5)
            foreach (var field in input.Fields)
                foreach (var inner in StringPaths(field.ResolvedType!, [.. path, field.Name], depth + 1))
                    yield return inner;
    }

    private static IGraphType Unwrap(IGraphType type) => type switch
    {
        NonNullGraphType n => Unwrap(n.ResolvedType!),
        ListGraphType l => Unwrap(l.ResolvedType!),
        _ => type,
    };

    /// <summary>The root field with every required argument filled in, and the target leaf set to the hostile value.</summary>
    private static (string Query, Dictionary<string, object?> Variables) Request(ISchema schema, Target target, string hostile)
    {
        var root = target.Operation == "query" ? (IComplexGraphType)schema.Query : schema.Mutation!;
        var field = root.Fields.Single(f => f.Name == target.Field);
        var declarations = new List<string>();
        var arguments = new List<string>();
        var variables = new Dictionary<string, object?>();
        foreach (var argument in field.Arguments!)
        {
            var isTarget = argument.Name == target.Argument;
            if (!isTarget && argument.ResolvedType is not NonNullGraphType) continue;
            var name = "v" + declarations.Count;
            declarations.Add($"${name}: {Print(argument.ResolvedType!)}");
            arguments.Add($"{argument.Name}: ${name}");
            variables[name] = Value(argument.ResolvedType!, isTarget ? target.Path : null, hostile);
        }
        var selection = Unwrap(field.ResolvedType!) switch
        {
            IComplexGraphType complex when complex.Fields.Any(f => f.Name == "errors") => " { __typename errors { code message } }",
            IComplexGraphType => " { __typename }",
            _ => "",
        };
        var header = declarations.Count == 0 ? "" : $"({string.Join(", ", declarations)})";
        var args = arguments.Count == 0 ? "" : $"({string.Join(", ", arguments)})";
        return ($"{target.Operation}{header} {{ {field.Name}{args}{selection} }}", variables);
    }

    /// <summary>A value of the type: required input fields filled in, the path (when given) leading to the hostile string.</summary>
    private static object? Value(IGraphType type, string[]? path, string hostile)
    {
        switch (type)
        {
            case NonNullGraphType n: return Value(n.ResolvedType!, path, hostile);
            case ListGraphType l: return new[] { Value(l.ResolvedType!, path, hostile) };
            case StringGraphType or IdGraphType when path is { Length: 0 }: return hostile;
            case IdGraphType: return Guid.NewGuid().ToString();
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
                    if (onPath) map[field.Name] = Value(field.ResolvedType!, path![1..], hostile);
                    else if (field.ResolvedType is NonNullGraphType && field.DefaultValue is null) map[field.Name] = Value(field.ResolvedType, null, hostile);
                }
                return map;
            default: return "x";
        }
    }

    private static string Print(IGraphType type) => type switch
    {
        NonNullGraphType n => Print(n.ResolvedType!) + "!",
        ListGraphType l => $"[{Print(l.ResolvedType!)}]",
        _ => type.Name,
    };

    private static string Cut(string? text) => text is null ? "" : text.Length <= 200 ? text : text[..200] + "…";
}
