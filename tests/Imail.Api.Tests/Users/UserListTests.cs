using Imail.Testing;

namespace Imail.Api.Tests.Users;

public class UserListTests(ImailApiFactory api) : IClassFixture<ImailApiFactory>, IAsyncLifetime
{
    // xunit makes a class instance per test; the fixture's database is shared, so seed once.
    public async Task InitializeAsync()
    {
        if (await api.ExecuteDbAsync(db => Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.AnyAsync(db.Users))) return;
        for (var i = 0; i < 5; i++)
        {
            var user = await api.CreateUserAsync($"list{i}@example.org", $"List {i}");
            api.Clock.Advance(TimeSpan.FromSeconds(1));
            if (i < 2) await api.GraphQLAsync("{ me { id } }", token: api.UserToken(user.Id, api.Clock.GetUtcNow().AddDays(-i * 400)));
        }
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Users_PagesThroughEveryAccount_WithCursors()
    {
        var seen = new List<string>();
        string? after = null;
        do
        {
            var page = (await api.GraphQLAsync("""
                query($after: String) { users(first: 2, after: $after, where: { emailContains: "list" }) {
                  totalCount nodes { email } pageInfo { hasNextPage endCursor } } }
                """, new { after }, api.StaffToken())).DataOrFail()["users"]!;
            Assert.Equal(5, (int)page["totalCount"]!);
            seen.AddRange(page["nodes"]!.AsArray().Select(n => (string)n!["email"]!));
            after = (bool)page["pageInfo"]!["hasNextPage"]! ? (string?)page["pageInfo"]!["endCursor"] : null;
        } while (after is not null);

        Assert.Equal(Enumerable.Range(0, 5).Select(i => $"list{i}@example.org"), seen);
    }

    [Theory]
    [InlineData("{ neverAuthenticated: true }", new[] { "list2", "list3", "list4" })]
    [InlineData("{ neverAuthenticated: false }", new[] { "list0", "list1" })]
    [InlineData("{ lastAuthenticatedBefore: \"2026-01-01T00:00:00Z\" }", new[] { "list1" })]
    [InlineData("{ emailContains: \"LIST3\" }", new[] { "list3" })]
    [InlineData("{ emailContains: \"%\" }", new string[0])]
    [InlineData("{ status: RESTRICTED }", new string[0])]
    public async Task Users_Filters(string where, string[] expected)
    {
        var nodes = (await api.GraphQLAsync($"{{ users(first: 100, where: {where}) {{ nodes {{ email }} }} }}", token: api.StaffToken()))
            .DataOrFail()["users"]!["nodes"]!.AsArray().Select(n => ((string)n!["email"]!).Split('@')[0]);
        Assert.Equal(expected, nodes);
    }

    [Theory]
    [InlineData("users(first: 0)", "INVALID_PAGE_SIZE")]
    [InlineData("users(first: 101)", "INVALID_PAGE_SIZE")]
    [InlineData("users(after: \"%%%\")", "INVALID_CURSOR")]
    public async Task Users_WithBadPagingArguments_AnswersACodedError(string field, string code) =>
        Assert.Contains(code, (await api.GraphQLAsync($"{{ {field} {{ totalCount }} }}", token: api.StaffToken())).ErrorCodes);
}
