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

    [Fact]
    public async Task Item11_EveryStringArgument_WithNulA200KbValueOrABidiOverride_AsEveryRole_GetsATypedAnswer()
    {
        var targets = SchemaRequests.StringLeaves(api.Services.GetRequiredService<ISchema>()).ToList();
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
                    var (query, variables) = SchemaRequests.Request(target.Root, target, value);
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

    private static string Cut(string? text) => text is null ? "" : text.Length <= 200 ? text : text[..200] + "…";
}
