using Imail.Api.GraphQL.Http;
using Imail.Domain.Common;
using Imail.Testing;
using static Imail.Api.Tests.Transport.GraphQLHttp;

namespace Imail.Api.Tests.Transport;

/// <summary>
/// What an error says is bounded, not what the client sent: messages quote a short prefix of the
/// client's text, a response carries a bounded number of errors, and directives count toward the
/// document limits. The test host exposes exception details: they are bounded too.
/// </summary>
public sealed class ErrorSizeTests(ImailApiFactory api) : IClassFixture<ImailApiFactory>
{
    // Under Imail:GraphQL:MaxStringLength (32 KiB), so that each value reaches the rule that quotes it.
    private const int Long = 30_000;
    private readonly HttpClient _client = api.CreateClient();

    [Fact]
    public async Task Item14_ALongEmailAddress_IsQuotedAsAShortPrefix()
    {
        var email = new string('e', Long) + "@example.org";

        var reply = await _client.AskAsync(PostQuery(
            "mutation($input: SignUpInput!) { signUp(input: $input) { user { id } errors { code message } } }",
            new { input = new { email, displayName = "Huge" } }));

        var error = Assert.Single(reply.Data()["signUp"]!["errors"]!.AsArray())!;
        Assert.Equal("INVALID_EMAIL", (string?)error["code"]);
        var message = (string)error["message"]!;
        Assert.StartsWith("'" + new string('e', Excerpt.MaxLength) + "…'", message);
        Assert.Contains("30012 characters", message);
        Assert.True(reply.Text.Length < 1_000, $"{reply.Text.Length} characters answered");
    }

    [Fact]
    public async Task Item14_AVariableThatDoesNotCoerce_IsQuotedAsAShortPrefix()
    {
        var reply = await _client.AskAsync(PostQuery("query($n: Int) { users(first: $n) { totalCount } }",
            new { n = new string('v', Long) }, token: api.StaffToken()));

        Assert.Equal(400, reply.Status);
        AssertBounded(reply, 'v');
    }

    public static TheoryData<string, string?, char> EchoingDocuments => new()
    {
        { $"{{ {new string('f', Long)} }}", null, 'f' }, // unknown field
        { $"{{ __typename @{new string('d', Long)} }}", null, 'd' }, // unknown directive
        { $"{{ dataCategory(code: \"x\", {new string('a', Long)}: 1) {{ code }} }}", null, 'a' }, // unknown argument
        { $"{{ dataCategory(code: {new string('9', Long)}) {{ code }} }}", null, '9' }, // a literal of the wrong type
        { $"{{ dataCategory(code: \"{new string('s', Long)}\" }}", null, 's' }, // syntax error next to a long string
        { $"{{ \"{new string('t', Long)}\" }}", null, 't' }, // syntax error on a long string
        { "query A { __typename }", new string('o', Long), 'o' }, // unknown operation name
    };

    [Theory]
    [MemberData(nameof(EchoingDocuments))]
    public async Task Item14_GraphQLMessages_QuoteAShortPrefixOfTheDocument(string query, string? operationName, char repeated)
    {
        var reply = await _client.AskAsync(PostQuery(query, operationName: operationName));

        Assert.Equal(400, reply.Status);
        AssertBounded(reply, repeated);
    }

    [Theory]
    [InlineData("{ me @a }")]
    [InlineData("{ __typename @skip(if: true) }")]
    public async Task Item14_RepeatedDirectives_CountTowardTheDocumentLimit(string seed)
    {
        // 48 KB of one directive repeated: one field, thousands of directives.
        var directive = seed[(seed.IndexOf('@'))..^2];
        var query = seed[..seed.IndexOf('@')] + string.Concat(Enumerable.Repeat(directive + " ", 48 * 1024 / (directive.Length + 1))) + "}";

        var reply = await _client.AskAsync(PostQuery(query, token: api.StaffToken()));

        reply.ShouldFailWith(400, TransportErrorCodes.TooManyFields);
        Assert.True(reply.Text.Length < 1_000, $"{reply.Text.Length} characters answered");
    }

    [Fact]
    public async Task Item14_ManyErrors_AreCapped_WithOneErrorCountingTheRest()
    {
        var query = "{ " + string.Join(" ", Enumerable.Range(0, 250).Select(i => $"unknown{i}")) + " }";

        var reply = await _client.AskAsync(PostQuery(query));

        reply.ShouldFailWith(400, TransportErrorCodes.TooManyErrors);
        Assert.Equal(101, reply.Errors!.Count);
        Assert.All(reply.Codes.Take(100), code => Assert.Equal("FIELDS_ON_CORRECT_TYPE", code));
        var last = reply.Errors[^1]!;
        Assert.Equal(TransportErrorCodes.TooManyErrors, (string?)last["extensions"]!["code"]);
        Assert.Equal(150, (int)last["extensions"]!["leftOut"]!);
        Assert.StartsWith("150 more errors", (string?)last["message"]);
    }

    [Fact]
    public async Task AFewErrors_AreAllListed()
    {
        var reply = await _client.AskAsync(PostQuery("{ unknownA unknownB }"));

        Assert.Equal(["FIELDS_ON_CORRECT_TYPE", "FIELDS_ON_CORRECT_TYPE"], reply.Codes);
    }

    /// <summary>No message or detail repeats more than a short prefix of the client's text, and none is longer than the bound.</summary>
    private static void AssertBounded(Reply reply, char repeated)
    {
        Assert.NotNull(reply.Errors);
        Assert.False(reply.Text.Contains(new string(repeated, Excerpt.MaxLength + 1)),
            $"The answer repeats more than {Excerpt.MaxLength} characters of the input: {reply.Text[..Math.Min(reply.Text.Length, 2_000)]}");
        foreach (var error in reply.Errors!)
            Assert.True(((string)error!["message"]!).Length <= Excerpt.MaxMessageLength + 20, (string?)error["message"]);
        Assert.True(reply.Text.Length < 40_000, $"{reply.Text.Length} characters answered");
    }
}
