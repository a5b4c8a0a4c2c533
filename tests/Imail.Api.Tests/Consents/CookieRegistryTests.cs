using Imail.Testing;
using Microsoft.EntityFrameworkCore;

namespace Imail.Api.Tests.Consents;

public class CookieRegistryTests(ImailApiFactory api) : IClassFixture<ImailApiFactory>
{
    private const string Declare = """
        mutation($input: DeclareCookieInput!) {
          declareCookie(input: $input) {
            cookie { name purpose provider description lifetimeMonths lifetimeDays session lifetime }
            errors { __typename code message ... on InputError { field } ... on ConflictError { field } }
          }
        }
        """;

    private static object Cookie(string name, int months = 6, int days = 0, string purpose = "STATISTICS") => new
    {
        input = new { name, purpose, provider = "Imail Solutions", description = "Counts visits.", lifetimeMonths = months, lifetimeDays = days },
    };

    private Task<int> CountCookies(string name) => api.ExecuteDbAsync(db => db.Cookies.CountAsync(c => c.Name == name));

    private async Task<(int Months, int Days)> Lifetime(string name) =>
        await api.ExecuteDbAsync(db => db.Cookies.AsNoTracking().SingleAsync(c => c.Name == name)) is var c ? (c.LifetimeMonths, c.LifetimeDays) : default;

    [Fact]
    public async Task P5_TheCookieRegistryIsPublic()
    {
        var cookies = (await api.GraphQLAsync("{ cookies { name purpose provider description lifetimeMonths lifetimeDays session lifetime } }"))
            .DataOrFail()["cookies"]!.AsArray();

        var byName = cookies.ToDictionary(c => (string)c!["name"]!);
        Assert.Equal(("NECESSARY", 13, 0, false, "13 months"),
            ((string?)byName["imail_consent"]!["purpose"], (int)byName["imail_consent"]!["lifetimeMonths"]!, (int)byName["imail_consent"]!["lifetimeDays"]!,
                (bool)byName["imail_consent"]!["session"]!, (string?)byName["imail_consent"]!["lifetime"]));
        Assert.Equal((true, "session"), ((bool)byName["imail_session"]!["session"]!, (string?)byName["imail_session"]!["lifetime"]));
        Assert.Equal("STATISTICS", (string?)byName["imail_stats"]!["purpose"]);
        Assert.All(cookies, c => Assert.False(string.IsNullOrWhiteSpace((string?)c!["provider"])));
        Assert.All(cookies, c => Assert.False(string.IsNullOrWhiteSpace((string?)c!["description"])));
        // By purpose (necessary, statistics, personalisation), then by name.
        var order = new[] { "NECESSARY", "STATISTICS", "PERSONALISATION" };
        var keys = cookies.Select(c => (Array.IndexOf(order, (string)c!["purpose"]!), (string)c!["name"]!)).ToList();
        Assert.Equal(keys.OrderBy(k => k.Item1).ThenBy(k => k.Item2, StringComparer.Ordinal), keys);

        var one = (await api.GraphQLAsync("""{ cookie(name: "imail_stats") { name lifetime } missing: cookie(name: "nope") { name } }""")).DataOrFail();
        Assert.Equal("13 months", (string?)one["cookie"]!["lifetime"]);
        Assert.Null(one["missing"]);
    }

    [Fact]
    public async Task P5_TheCookieRegistryIsPublic_ToEveryRole()
    {
        var user = await api.CreateUserAsync("cookie-reader@example.org");
        foreach (var token in new[] { null, api.UserToken(user.Id), api.Token("partner", "partner-test"), api.StaffToken() })
            Assert.NotEmpty((await api.GraphQLAsync("{ cookies { name } }", token: token)).DataOrFail()["cookies"]!.AsArray());
    }

    [Theory]
    [InlineData(13, 1)]
    [InlineData(12, 31)]
    [InlineData(12, 29)] // 29 days after a deposit on 31 January + 12 months runs past 13 months outside leap years
    [InlineData(14, 0)]
    [InlineData(0, 400)]
    public async Task P5_ACookieLifetimeOver13MonthsIsRefused(int months, int days)
    {
        var name = $"too_long_{months}_{days}";
        var payload = (await api.GraphQLAsync(Declare, Cookie(name, months, days), api.StaffToken())).DataOrFail()["declareCookie"]!;

        Assert.Null(payload["cookie"]);
        var error = Assert.Single(payload["errors"]!.AsArray())!;
        Assert.Equal(("InputError", "LIFETIME_TOO_LONG", "lifetimeMonths"), ((string?)error["__typename"], (string?)error["code"], (string?)error["field"]));
        Assert.Equal(0, await CountCookies(name));
    }

    [Theory]
    [InlineData(13, 0, "13 months")]
    [InlineData(12, 28, "12 months and 28 days")]
    [InlineData(1, 1, "1 month and 1 day")]
    [InlineData(0, 30, "30 days")]
    [InlineData(0, 0, "session")]
    public async Task P5_ACookieLifetimeOfAtMost13MonthsIsAccepted(int months, int days, string lifetime)
    {
        var name = $"fits_{months}_{days}";
        var payload = (await api.GraphQLAsync(Declare, Cookie(name, months, days), api.StaffToken())).DataOrFail()["declareCookie"]!;

        Assert.Empty(payload["errors"]!.AsArray());
        Assert.Equal(lifetime, (string?)payload["cookie"]!["lifetime"]);
        Assert.Equal(1, await CountCookies(name));
    }

    [Fact]
    public async Task P5_UpdatingACookieToALifetimeOver13MonthsIsRefused()
    {
        await api.GraphQLAsync(Declare, Cookie("grows", 6), api.StaffToken());

        var payload = (await api.GraphQLAsync("""mutation { updateCookie(input: { name: "grows", lifetimeDays: 400 }) { cookie { name } errors { code } } }""",
            token: api.StaffToken())).DataOrFail()["updateCookie"]!;

        Assert.Equal("LIFETIME_TOO_LONG", (string?)payload["errors"]![0]!["code"]);
        Assert.Equal((6, 0), await Lifetime("grows"));
    }

    [Fact]
    public async Task Staff_DeclareUpdateAndRemoveACookie()
    {
        var declared = (await api.GraphQLAsync(Declare, Cookie("imail_prefs", 6, 0, "PERSONALISATION"), api.StaffToken())).DataOrFail()["declareCookie"]!;
        Assert.Empty(declared["errors"]!.AsArray());
        Assert.Equal(("imail_prefs", "PERSONALISATION", "6 months"),
            ((string?)declared["cookie"]!["name"], (string?)declared["cookie"]!["purpose"], (string?)declared["cookie"]!["lifetime"]));

        var updated = (await api.GraphQLAsync("""
            mutation { updateCookie(input: { name: "imail_prefs", newName: "imail_theme", lifetimeMonths: 12, lifetimeDays: 15, provider: "CINQ-CINQ" }) {
              cookie { name purpose provider description lifetime } errors { code } } }
            """, token: api.StaffToken())).DataOrFail()["updateCookie"]!;
        Assert.Empty(updated["errors"]!.AsArray());
        Assert.Equal(("imail_theme", "PERSONALISATION", "CINQ-CINQ", "Counts visits.", "12 months and 15 days"),
            ((string?)updated["cookie"]!["name"], (string?)updated["cookie"]!["purpose"], (string?)updated["cookie"]!["provider"],
                (string?)updated["cookie"]!["description"], (string?)updated["cookie"]!["lifetime"]));
        Assert.Equal("imail_theme", (string?)(await api.GraphQLAsync("""{ cookie(name: "imail_theme") { name } }""")).DataOrFail()["cookie"]!["name"]);

        var removed = (await api.GraphQLAsync("""mutation { removeCookie(input: { name: "imail_theme" }) { cookie { name } errors { code } } }""",
            token: api.StaffToken())).DataOrFail()["removeCookie"]!;
        Assert.Empty(removed["errors"]!.AsArray());
        Assert.Equal("imail_theme", (string?)removed["cookie"]!["name"]);
        Assert.Equal(0, await CountCookies("imail_theme"));
        Assert.Equal(0, await CountCookies("imail_prefs"));
    }

    [Theory]
    [InlineData("bad name", "INVALID_COOKIE_NAME")]
    [InlineData("", "INVALID_COOKIE_NAME")]
    [InlineData("imail_consent", "COOKIE_NAME_TAKEN")]
    public async Task Declare_WithBadInput_AnswersATypedError_AndWritesNothing(string name, string code)
    {
        var before = await api.ExecuteDbAsync(db => db.Cookies.CountAsync());
        var payload = (await api.GraphQLAsync(Declare, Cookie(name), api.StaffToken())).DataOrFail()["declareCookie"]!;
        Assert.Null(payload["cookie"]);
        Assert.Equal(code, (string?)payload["errors"]![0]!["code"]);
        Assert.Equal(before, await api.ExecuteDbAsync(db => db.Cookies.CountAsync()));
    }

    [Fact]
    public async Task RenamingOntoATakenName_AnswersCookieNameTaken()
    {
        await api.GraphQLAsync(Declare, Cookie("rename_me"), api.StaffToken());
        var payload = (await api.GraphQLAsync("""mutation { updateCookie(input: { name: "rename_me", newName: "imail_stats" }) { cookie { name } errors { code ... on ConflictError { field } } } }""",
            token: api.StaffToken())).DataOrFail()["updateCookie"]!;
        Assert.Equal(("COOKIE_NAME_TAKEN", "newName"), ((string?)payload["errors"]![0]!["code"], (string?)payload["errors"]![0]!["field"]));
        Assert.Equal(1, await CountCookies("rename_me"));
    }

    [Fact]
    public async Task TheConsentAndSessionCookies_CannotBeRemoved_TheyAreImailsOwn()
    {
        var response = await api.GraphQLAsync("mutation { removeCookie(input: { name: \"imail_consent\" }) { errors { code } } }", token: api.StaffToken());

        Assert.Equal("SYSTEM_COOKIE", (string?)response.DataOrFail()["removeCookie"]!["errors"]![0]!["code"]);
        var registry = (await api.GraphQLAsync("{ cookie(name: \"imail_consent\") { isSystem } }")).DataOrFail()["cookie"]!;
        Assert.True((bool)registry["isSystem"]!);
    }

    [Fact]
    public async Task UnknownCookies_AnswerCookieNotFound()
    {
        foreach (var mutation in new[] { "updateCookie(input: { name: \"ghost\", provider: \"x\" })", "removeCookie(input: { name: \"ghost\" })" })
        {
            var payload = (await api.GraphQLAsync($"mutation {{ m: {mutation} {{ cookie {{ name }} errors {{ __typename code }} }} }}", token: api.StaffToken()))
                .DataOrFail()["m"]!;
            Assert.Equal(("NotFoundError", "COOKIE_NOT_FOUND"), ((string?)payload["errors"]![0]!["__typename"], (string?)payload["errors"]![0]!["code"]));
        }
    }

    [Fact]
    public async Task TwoSimultaneousDeclarations_OfOneName_DeclareOneCookie()
    {
        var attempts = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => api.GraphQLAsync(Declare, Cookie("raced"), api.StaffToken())));

        Assert.Single(attempts, a => a.DataOrFail()["declareCookie"]!["cookie"] is not null);
        Assert.All(attempts.Where(a => a.Data!["declareCookie"]!["cookie"] is null),
            a => Assert.Equal("COOKIE_NAME_TAKEN", (string?)a.Data!["declareCookie"]!["errors"]![0]!["code"]));
        Assert.Equal(1, await CountCookies("raced"));
    }

    [Fact]
    public async Task TheStaffMutations_AreRefusedToAnonymousCallersAndUsers()
    {
        var user = await api.CreateUserAsync("cookie-meddler@example.org");
        var mutations = new[]
        {
            """declareCookie(input: { name: "sneaky", purpose: NECESSARY, provider: "x", description: "x", lifetimeMonths: 1, lifetimeDays: 0 })""",
            """updateCookie(input: { name: "imail_stats", lifetimeMonths: 1 })""",
            """removeCookie(input: { name: "imail_stats" })""",
        };
        foreach (var mutation in mutations)
        {
            var anonymous = await api.GraphQLAsync($"mutation {{ m: {mutation} {{ errors {{ code }} }} }}");
            Assert.Contains("AUTH_NOT_AUTHENTICATED", anonymous.ErrorCodes);
            Assert.Null(anonymous.Data?["m"]);
            var asUser = await api.GraphQLAsync($"mutation {{ m: {mutation} {{ errors {{ code }} }} }}", token: api.UserToken(user.Id));
            Assert.Contains("ACCESS_DENIED", asUser.ErrorCodes);
        }
        Assert.Equal(0, await CountCookies("sneaky"));
        Assert.Equal((13, 0), await Lifetime("imail_stats"));
    }
}
