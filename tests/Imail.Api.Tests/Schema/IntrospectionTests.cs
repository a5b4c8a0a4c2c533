using System.Text.Json.Nodes;
using Imail.Api.Tests.Transport;
using Imail.Testing;
using static Imail.Api.Tests.Transport.GraphQLHttp;

namespace Imail.Api.Tests.Schema;

/// <summary>
/// Issue 8 item 15: the introspection queries the tools send are answered with the default limits,
/// and introspection has a bound of its own that hostile documents do not pass.
/// </summary>
public sealed class IntrospectionTests(ImailApiFactory api) : IClassFixture<ImailApiFactory>
{
    private static readonly string Resources = Path.Combine(TestDatabase.RepositoryRoot(), "tests", "Imail.Api.Tests", "Schema", "Introspection");

    /// <summary>Banana Cake Pop 18.0.0's query, as the IDE posts it to this API (IdeBrowserTests checks it still does).</summary>
    public static string BananaCakePopQuery => File.ReadAllText(Path.Combine(Resources, "bcp.graphql"));

    /// <summary>graphql@16's <c>getIntrospectionQuery()</c> with every option (Transport/audit/introspection-query.mjs).</summary>
    public static string GraphQLJsQuery => File.ReadAllText(Path.Combine(Resources, "graphql-js.graphql"));

    private readonly HttpClient _client = api.CreateClient();

    [Fact]
    public async Task Item15_BananaCakePopsIntrospection_IsAnswered()
    {
        var reply = await _client.AskAsync(PostQuery(BananaCakePopQuery, operationName: "IntrospectionQuery"));

        AssertDescribesTheApi(reply.Data()["__schema"]!);
    }

    [Fact]
    public async Task Item15_GraphQLJsIntrospection_WithEveryOption_IsAnswered()
    {
        var reply = await _client.AskAsync(PostQuery(GraphQLJsQuery, operationName: "IntrospectionQuery"));

        var schema = reply.Data()["__schema"]!;
        AssertDescribesTheApi(schema);
        Assert.All(schema["directives"]!.AsArray(), d => Assert.NotNull(d!["isRepeatable"]));
    }

    [Fact]
    public async Task Item15_TheGraphQLJsResource_IsWhatGraphQLJsGenerates()
    {
        await AuditScripts.EnsureInstalledAsync();

        var (exit, stdout, stderr) = await AuditScripts.RunAsync("node", "introspection-query.mjs");

        Assert.True(exit == 0, $"node introspection-query.mjs failed ({exit}): {stderr}");
        Assert.True(stdout == GraphQLJsQuery,
            "graphql-js now generates another query: rewrite Schema/Introspection/graphql-js.graphql with `node introspection-query.mjs` and rerun these tests.");
    }

    public static TheoryData<string, string> HostileDocuments() => new()
    {
        // The type graph walked again and again: each level multiplies the answer.
        { "lists in lists", "{ __schema { types { fields { type { fields { type { fields { name } } } } } } } }" },
        { "lists in lists from __type", "{ __type(name: \"User\") { fields { type { fields { type { fields { type { fields { name } } } } } } } } }" },
        { "lists in lists through fragments", "{ __schema { types { ...T } } } fragment T on __Type { fields { type { ...U } } } fragment U on __Type { possibleTypes { interfaces { name } } }" },
        { "lists in lists through inline fragments", "{ __schema { types { ... on __Type { interfaces { ... on __Type { fields { args { name } } } } } } } }" },
        // Width: the whole description many times over.
        { "three aliases of the full __schema", ThreeFullDescriptions() },
        { "many aliases of __schema", "{ " + string.Join(" ", Enumerable.Range(0, 80).Select(i => $"s{i}: __schema {{ types {{ fields {{ args {{ name type {{ name kind }} }} }} }} }}")) + " }" },
        { "many fields under three lists", "{ __schema { types { fields { args { " + string.Join(" ", Enumerable.Range(0, 300).Select(i => $"n{i}: name")) + " } } } } }" },
        // Depth: ofType answers nulls beyond a handful of levels.
        { "an ofType chain 30 deep", "{ __type(name: \"User\") { " + string.Concat(Enumerable.Repeat("ofType { ", 30)) + "name" + new string('}', 30) + " } }" },
    };

    /// <summary>BCP's query with its <c>__schema</c> selection moved into a fragment spread under three aliases.</summary>
    private static string ThreeFullDescriptions()
    {
        var query = BananaCakePopQuery.ReplaceLineEndings("\n");
        const string head = "query IntrospectionQuery {\n  __schema {";
        const string tail = "\n  }\n}\n";
        Assert.StartsWith(head, query);
        var end = query.IndexOf(tail, StringComparison.Ordinal);
        return "{ a: __schema { ...S } b: __schema { ...S } c: __schema { ...S } }\nfragment S on __Schema {"
            + query[head.Length..end] + "\n}\n" + query[(end + tail.Length)..];
    }

    [Theory]
    [MemberData(nameof(HostileDocuments))]
    public async Task Item15_HostileIntrospection_IsRefused(string what, string query)
    {
        var reply = await _client.AskAsync(PostQuery(query));

        Assert.False(reply.HasData, what);
        reply.ShouldFailWith(400, "INTROSPECTION_LIMIT");
    }

    [Fact]
    public async Task Item15_ATooComplexDataQuery_IsStillRefused_WithOrWithoutIntrospectionBesideIt()
    {
        const string data = "users(first: 1000) { nodes { id email consents { purpose } } }";
        var staff = api.StaffToken();

        (await _client.AskAsync(PostQuery($"{{ {data} }}", token: staff))).ShouldFailWith(400, "COMPLEXITY");
        (await _client.AskAsync(PostQuery($"{{ __schema {{ queryType {{ name }} }} {data} }}", token: staff))).ShouldFailWith(400, "COMPLEXITY");
    }

    private static void AssertDescribesTheApi(JsonNode schema)
    {
        var types = schema["types"]!.AsArray().Select(t => (string?)t!["name"]).ToList();
        Assert.Contains("User", types);
        Assert.Contains("ConsentStatus", types);
        Assert.Equal("Query", (string?)schema["queryType"]!["name"]);
        Assert.Equal("Mutation", (string?)schema["mutationType"]!["name"]);
    }
}
