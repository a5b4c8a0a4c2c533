using Imail.Testing;
using Microsoft.EntityFrameworkCore;

namespace Imail.Api.Tests.Schema;

/// <summary>Date-time inputs with any UTC offset mean the same instant as their UTC spelling.</summary>
public class DateTimeInputTests(ImailApiFactory api) : IClassFixture<ImailApiFactory>, IAsyncLifetime
{
    private static readonly DateTimeOffset Early = new(2026, 11, 27, 7, 30, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Late = new(2026, 11, 27, 8, 30, 0, TimeSpan.Zero);

    public async Task InitializeAsync()
    {
        if (await api.ExecuteDbAsync(db => db.Users.AnyAsync())) return;
        var early = await api.CreateUserAsync("early@example.org");
        var late = await api.CreateUserAsync("late@example.org");
        await api.ExecuteDbAsync(async db =>
        {
            await db.Users.Where(u => u.Id == early.Id).ExecuteUpdateAsync(s => s.SetProperty(u => u.LastAuthenticatedAt, Early));
            await db.Users.Where(u => u.Id == late.Id).ExecuteUpdateAsync(s => s.SetProperty(u => u.LastAuthenticatedAt, Late));
        });
    }

    public Task DisposeAsync() => Task.CompletedTask;

    // 10:00+02:00 is 08:00Z: between the two sign-ins. Read as 10:00Z, both would be before it.
    [Theory]
    [InlineData("2026-11-27T10:00:00+02:00")]
    [InlineData("2026-11-27T03:00:00-05:00")]
    [InlineData("2026-11-27T08:00:00Z")]
    [InlineData("2026-11-27T08:00:00.000+00:00")]
    public async Task Item13_DateTimeArguments_WithAnyUtcOffset_Work(string instant)
    {
        var literal = await api.GraphQLAsync(
            $$"""{ before: users(where: { lastAuthenticatedBefore: "{{instant}}" }) { nodes { email } } after: users(where: { lastAuthenticatedAfter: "{{instant}}" }) { nodes { email } } }""",
            token: api.StaffToken());
        var variable = await api.GraphQLAsync(
            "query($at: DateTimeOffset) { before: users(where: { lastAuthenticatedBefore: $at }) { nodes { email } } after: users(where: { lastAuthenticatedAfter: $at }) { nodes { email } } }",
            new { at = instant }, api.StaffToken());

        foreach (var response in new[] { literal, variable })
        {
            var data = response.DataOrFail();
            Assert.Equal(["early@example.org"], data["before"]!["nodes"]!.AsArray().Select(n => (string)n!["email"]!));
            Assert.Equal(["late@example.org"], data["after"]!["nodes"]!.AsArray().Select(n => (string)n!["email"]!));
        }
    }

    [Fact]
    public async Task DateTimeOutputs_AreUtcAsBefore()
    {
        var nodes = (await api.GraphQLAsync("{ users(where: { lastAuthenticatedBefore: \"2026-11-27T10:00:00+02:00\" }) { nodes { lastAuthenticatedAt } } }",
            token: api.StaffToken())).DataOrFail()["users"]!["nodes"]!.AsArray();

        var written = DateTimeOffset.Parse((string)Assert.Single(nodes)!["lastAuthenticatedAt"]!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal((Early, TimeSpan.Zero), (written, written.Offset));
    }
}
