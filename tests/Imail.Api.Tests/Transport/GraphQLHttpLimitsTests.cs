using System.Text;
using Imail.Api.GraphQL.Http;
using Imail.Testing;
using static Imail.Api.Tests.Transport.GraphQLHttp;

namespace Imail.Api.Tests.Transport;

/// <summary>The API with small limits, so each one is reached with a readable document.</summary>
public sealed class SmallLimitsApiFactory : ImailApiFactory
{
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Imail:GraphQL:MaxRequestBytes"] = "2048",
        ["Imail:GraphQL:MaxQueryLength"] = "1000",
        ["Imail:GraphQL:MaxFields"] = "50",
        ["Imail:GraphQL:MaxDepth"] = "3",
        ["Imail:GraphQL:MaxComplexity"] = "60",
    };
}

/// <summary>Every configured limit answers with a coded error and a 4xx, before anything runs.</summary>
public sealed class GraphQLHttpLimitsTests(SmallLimitsApiFactory api) : IClassFixture<SmallLimitsApiFactory>
{
    private readonly HttpClient _client = api.CreateClient();

    [Fact]
    public async Task BodyOverTheLimit_Is413()
    {
        var reply = await _client.AskAsync(PostQuery("{ __typename }" + new string(' ', 3000)));

        reply.ShouldFailWith(413, TransportErrorCodes.RequestTooLarge);
    }

    [Fact]
    public async Task BodyOverTheLimit_WithoutContentLength_Is413()
    {
        var bytes = Encoding.UTF8.GetBytes($$"""{"query":"{ __typename }{{new string(' ', 5000)}}"}""");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/graphql") { Content = new StreamContent(new UnseekableStream(bytes)) };
        request.Content.Headers.ContentType = new("application/json");

        var reply = await _client.AskAsync(request);

        reply.ShouldFailWith(413, TransportErrorCodes.RequestTooLarge);
    }

    [Fact]
    public async Task QueryOverTheLimit_Is413()
    {
        var reply = await _client.AskAsync(PostQuery("{ __typename }" + new string(' ', 1200)));

        reply.ShouldFailWith(413, TransportErrorCodes.QueryTooLarge);
    }

    [Fact]
    public async Task TooManyAliases_AreRefused()
    {
        var aliases = string.Join(" ", Enumerable.Range(0, 60).Select(i => $"a{i}: __typename"));

        var reply = await _client.AskAsync(PostQuery($"{{ {aliases} }}"));

        reply.ShouldFailWith(400, TransportErrorCodes.TooManyFields);
    }

    [Fact]
    public async Task FragmentBomb_IsRefusedQuickly()
    {
        // 2^20 selections once expanded, in a few hundred characters.
        var fragments = string.Join(" ", Enumerable.Range(0, 20).Select(i => $"fragment F{i} on Query {{ ...F{i + 1} ...F{i + 1} }}"));
        var query = $"{{ ...F0 }} {fragments} fragment F20 on Query {{ __typename }}";

        var started = DateTime.UtcNow;
        var reply = await _client.AskAsync(PostQuery(query));

        reply.ShouldFailWith(400, TransportErrorCodes.TooManyFields);
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(2));
    }

    [Fact]
    public async Task TooDeep_IsRefusedByTheComplexityAnalyzer()
    {
        var reply = await _client.AskAsync(PostQuery("{ users { edges { node { id } } } }", token: api.StaffToken()));

        reply.ShouldFailWith(400, "COMPLEXITY");
        Assert.Contains("nested", reply.Errors![0]!["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task TooComplex_IsRefused_EvenForACachedDocumentWithNewVariables()
    {
        const string query = "query Pages($n: Int) { users(first: $n) { nodes { id email } } }";
        var staff = api.StaffToken();

        (await _client.AskAsync(PostQuery(query, new { n = 1 }, token: staff))).Data();
        var big = await _client.AskAsync(PostQuery(query, new { n = 100 }, token: staff));

        big.ShouldFailWith(400, "COMPLEXITY");
    }

    [Fact]
    public async Task Item15_Introspection_IsHeldToItsOwnBound_NotToTheDataLimits()
    {
        // Depth 6 and cost 162 here, both over this API's data limits (3 and 60).
        var reply = await _client.AskAsync(PostQuery("{ __type(name: \"User\") { fields { name type { kind ofType { kind ofType { name } } } } } }"));

        Assert.NotEmpty(reply.Data()["__type"]!["fields"]!.AsArray());
    }

    [Fact]
    public async Task Item15_DataBesideIntrospection_IsStillHeldToTheDataLimits()
    {
        var staff = api.StaffToken();

        var deep = await _client.AskAsync(PostQuery("{ __type(name: \"User\") { name } users { edges { node { id } } } }", token: staff));
        var complex = await _client.AskAsync(PostQuery("query Pages($n: Int) { __schema { queryType { name } } users(first: $n) { nodes { id email } } }", new { n = 100 }, token: staff));

        deep.ShouldFailWith(400, "COMPLEXITY");
        Assert.Contains("nested", deep.Errors![0]!["message"]!.GetValue<string>());
        complex.ShouldFailWith(400, "COMPLEXITY");
    }

    [Fact]
    public async Task WithinTheLimits_Runs()
    {
        var reply = await _client.AskAsync(PostQuery("{ users(first: 2) { totalCount nodes { id } } }", token: api.StaffToken()));

        Assert.Equal(0, reply.Data()["users"]!["totalCount"]!.GetValue<int>());
    }

    private sealed class UnseekableStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;
        public override long Length => throw new NotSupportedException();
    }
}
