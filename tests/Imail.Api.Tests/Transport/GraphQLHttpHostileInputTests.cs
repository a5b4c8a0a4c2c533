using System.Text;
using Imail.Api.GraphQL.Http;
using Imail.Testing;
using static Imail.Api.Tests.Transport.GraphQLHttp;

namespace Imail.Api.Tests.Transport;

/// <summary>Hostile and broken input, with the default limits: a coded 4xx or a GraphQL error, never a 500.</summary>
public sealed class GraphQLHttpHostileInputTests(ImailApiFactory api) : IClassFixture<ImailApiFactory>
{
    private readonly HttpClient _client = api.CreateClient();

    [Fact]
    public async Task DefaultBodyLimit_Is256KiB()
    {
        var reply = await _client.AskAsync(PostQuery("{ __typename }" + new string(' ', 256 * 1024)));

        reply.ShouldFailWith(413, TransportErrorCodes.RequestTooLarge);
    }

    [Fact]
    public async Task NestingBeyondTheParser_Is400()
    {
        var query = string.Concat(Enumerable.Repeat("{ a ", 500)) + new string('}', 500);

        var reply = await _client.AskAsync(PostQuery(query));

        reply.ShouldFailWith(400, TransportErrorCodes.QueryTooDeep);
    }

    [Fact]
    public async Task NestingBeyondMaxDepth_Is400()
    {
        var query = "{ users " + string.Concat(Enumerable.Repeat("{ edges { node ", 6)) + "{ id }" + new string('}', 13) + " }";

        var reply = await _client.AskAsync(PostQuery(query, token: api.StaffToken()));

        Assert.Equal(400, reply.Status);
        Assert.All(reply.Codes, c => Assert.False(string.IsNullOrEmpty(c)));
    }

    [Fact]
    public async Task FragmentChain_TooDeep_Is400()
    {
        var fragments = string.Join(" ", Enumerable.Range(0, 100).Select(i => $"fragment F{i} on Query {{ ...F{i + 1} }}"));

        var reply = await _client.AskAsync(PostQuery($"{{ ...F0 }} {fragments} fragment F100 on Query {{ __typename }}"));

        reply.ShouldFailWith(400, TransportErrorCodes.QueryTooDeep);
    }

    [Fact]
    public async Task FragmentCycle_IsAValidationError()
    {
        var reply = await _client.AskAsync(PostQuery("{ ...A } fragment A on Query { ...B } fragment B on Query { ...A }"));

        reply.ShouldFailWith(400, "NO_FRAGMENT_CYCLES");
    }

    [Fact]
    public async Task DeeplyNestedVariables_Are400()
    {
        var json = """{"query":"query($c: String) { dataCategory(code: $c) { code } }","variables":{"c":""" + new string('[', 200) + new string(']', 200) + "}}";

        var reply = await _client.AskAsync(Post(json));

        reply.ShouldFailWith(400, TransportErrorCodes.InvalidJson);
    }

    [Fact]
    public async Task InvalidUtf8_Is400()
    {
        var bytes = Encoding.UTF8.GetBytes("""{"query":"{ __typename } ??"}""");
        bytes[^4] = 0xC3; // a lead byte with no continuation
        bytes[^3] = 0x28;
        using var request = new HttpRequestMessage(HttpMethod.Post, "/graphql") { Content = new ByteArrayContent(bytes) };
        request.Content.Headers.ContentType = new("application/json");

        var reply = await _client.AskAsync(request);

        reply.ShouldFailWith(400, TransportErrorCodes.InvalidJson);
    }

    [Fact]
    public async Task MutatedDocuments_NeverAnswer500()
    {
        string[] seeds =
        [
            "query Q($code: String!, $n: Int) { dataCategory(code: $code) { code name } users(first: $n) { totalCount } }",
            "mutation { createDataCategory(input: { code: \"x\", category: { name: \"n\" } }) { errors { code } } }",
            "{ ...F } fragment F on Query { __typename dataCategories { code } }",
            """{"query":"{ __typename }","variables":{"a":[1,2.5,"x",null,true,{"b":{}}]},"extensions":{}}""",
        ];
        const string alphabet = "{}()[]:$!@.,\"\\ \n\tqueryfragmentonmutation__typename0123456789-_=#&|\u0000\u00e9🏃";
        var random = new Random(20261127);
        var failures = new List<string>();
        for (var i = 0; i < 600; i++)
        {
            var seed = seeds[random.Next(seeds.Length)].ToCharArray().ToList();
            for (var edits = random.Next(1, 6); edits > 0 && seed.Count > 0; edits--)
            {
                var at = random.Next(seed.Count);
                switch (random.Next(3))
                {
                    case 0: seed.RemoveAt(at); break;
                    case 1: seed.Insert(at, alphabet[random.Next(alphabet.Length)]); break;
                    default: seed[at] = alphabet[random.Next(alphabet.Length)]; break;
                }
            }
            var text = new string([.. seed]);
            var asBody = text.StartsWith('{') && text.Contains("\"query\"");
            var reply = await _client.AskAsync(i % 3 == 0 && !asBody
                ? Get(text, variables: "{\"code\":\"x\",\"n\":1}")
                : asBody ? Post(text) : PostQuery(text, new { code = "x", n = 1 }, token: i % 2 == 0 ? api.StaffToken() : null));
            if (reply.Status >= 500 || reply.Errors is not null && reply.Codes.Any(string.IsNullOrEmpty))
                failures.Add($"{text}\n  → {reply}");
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures.Take(5)));
    }
}
