using System.Text.Json.Nodes;
using Imail.Testing;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Imail.Api.Tests.Statistics;

/// <summary>
/// P3: "Statistics queries (e.g. users by country, locale, sign-up month; consents by purpose) return only groups of at
/// least k people (k-anonymity; k configurable, default 10); smaller groups are suppressed or merged, never returned. No
/// statistics output carries an identifier. Differencing attacks (two queries whose difference isolates one person) are
/// considered in the design." Each test starts from an empty set of accounts.
/// </summary>
public sealed class StatisticsTests(ImailApiFactory api) : IClassFixture<ImailApiFactory>, IAsyncLifetime
{
    private const int K = 10;

    private const string Ask = """
        query($by: [StatisticsAxisInput!]!) { statistics(by: $by) { axes k computedAt population groups { values count } } }
        """;

    public async Task InitializeAsync() => await api.ExecuteDbAsync(db => db.Database.ExecuteSqlRawAsync("DELETE FROM users; DELETE FROM statistics_requests; DELETE FROM statistics_answers"));

    public Task DisposeAsync() => Task.CompletedTask;

    private DateTimeOffset Now => api.Clock.GetUtcNow();

    /// <summary><paramref name="count"/> accounts at once, straight into the table.</summary>
    private async Task SeedAsync(int count, string? country, string locale = "Fr", DateTimeOffset? createdAt = null, DateTimeOffset? lastSignIn = null)
    {
        await using var connection = new NpgsqlConnection(api.ConnectionString);
        await connection.OpenAsync();
        await using var insert = new NpgsqlCommand("""
            INSERT INTO users (id, email, display_name, locale, status, created_at, updated_at, last_authenticated_at, country)
            SELECT gen_random_uuid(), 'u' || gen_random_uuid() || '@stats.example', 'Someone', $1, 'Active', $2, $2, $3, $4 FROM generate_series(1, $5)
            """, connection)
        {
            Parameters =
            {
                new() { Value = locale },
                new() { Value = (createdAt ?? Now.AddMonths(-2)).ToUniversalTime() },
                new() { Value = (object?)lastSignIn?.ToUniversalTime() ?? DBNull.Value },
                new() { Value = (object?)country ?? DBNull.Value },
                new() { Value = count },
            },
        };
        await insert.ExecuteNonQueryAsync();
    }

    private static object Axis(string dimension, string? purpose = null, string? provider = null, string? scope = null, string? policyVersion = null) =>
        new { dimension, purpose, provider, scope, policyVersion };

    private async Task<JsonNode> StatisticsAsync(string? token, params object[] by)
    {
        var response = await api.GraphQLAsync(Ask, new { by }, token ?? api.StaffToken());
        return response.DataOrFail()["statistics"]!;
    }

    private static Dictionary<string, int> Groups(JsonNode answer) => answer["groups"]!.AsArray()
        .ToDictionary(g => string.Join("|", g!["values"]!.AsArray().Select(v => (string?)v ?? "*")), g => (int)g!["count"]!);

    [Fact]
    public async Task ByCountry_AGroupOfKIsShown_KMinusOneIsMergedIntoOther_KPlusOneIsShown()
    {
        await SeedAsync(30, "BE");
        await SeedAsync(K + 1, "FR");
        await SeedAsync(K, "NL");
        await SeedAsync(K - 1, "LU");
        await SeedAsync(K - 1, "DE");

        var answer = await StatisticsAsync(null, Axis("COUNTRY"));

        Assert.Equal(new Dictionary<string, int> { ["BE"] = 30, ["FR"] = K + 1, ["NL"] = K, ["*"] = 2 * (K - 1) }, Groups(answer));
        Assert.Equal(30 + K + 1 + K + 2 * (K - 1), (int)answer["population"]!);
        Assert.Equal(K, (int)answer["k"]!);
        Assert.Equal(["COUNTRY"], answer["axes"]!.AsArray().Select(a => (string)a!));
    }

    [Fact]
    public async Task TheSubtractionAttackOnTheTotal_GivesBackNoSmallGroup()
    {
        // Hiding LU alone would leave population − BE − FR = 3 people in LU.
        await SeedAsync(30, "BE");
        await SeedAsync(20, "FR");
        await SeedAsync(3, "LU");

        var answer = await StatisticsAsync(null, Axis("COUNTRY"));
        var groups = Groups(answer);

        Assert.Equal(new Dictionary<string, int> { ["BE"] = 30, ["*"] = 23 }, groups);
        var population = (int)answer["population"]!;
        // Every difference the answer allows: the population minus any set of its groups.
        foreach (var subset in Subsets(groups.Values.ToList()))
            Assert.True(population - subset is 0 or >= K, $"population − {subset} = {population - subset}");
    }

    [Fact]
    public async Task APopulationUnderK_IsWithheld()
    {
        await SeedAsync(K - 1, "BE");
        var answer = await StatisticsAsync(null, Axis("COUNTRY"));
        Assert.Null((int?)answer["population"]);
        Assert.Empty(answer["groups"]!.AsArray());
    }

    [Fact]
    public async Task TheDifferencingAttack_AMonthAgainstTheSameMonthByLocale_DoesNotRevealTheFewEnglishSpeakers()
    {
        // "Sign-ups in March" against "sign-ups in March" split by language: 3 English speakers signed up in March.
        var march = new DateTimeOffset(2026, 3, 15, 12, 0, 0, TimeSpan.Zero);
        var april = new DateTimeOffset(2026, 4, 15, 12, 0, 0, TimeSpan.Zero);
        await SeedAsync(25, null, "Fr", march);
        await SeedAsync(15, null, "Nl", march);
        await SeedAsync(3, null, "En", march);
        await SeedAsync(20, null, "Fr", april);
        await SeedAsync(12, null, "Nl", april);
        await SeedAsync(14, null, "En", april);

        var byMonth = Groups(await StatisticsAsync(null, Axis("SIGN_UP_MONTH")));
        var byLocale = Groups(await StatisticsAsync(null, Axis("LOCALE")));
        var both = Groups(await StatisticsAsync(null, Axis("SIGN_UP_MONTH"), Axis("LOCALE")));

        Assert.Equal(43, byMonth["2026-03"]);
        Assert.Equal(17, byLocale["en"]);
        Assert.All(both.Values, n => Assert.True(n >= K));
        Assert.DoesNotContain(3, both.Values);
        // March minus its listed cells, and English minus its listed cells: 0 or at least k, never the 3.
        var marchRest = byMonth["2026-03"] - both.Where(g => g.Key.StartsWith("2026-03|", StringComparison.Ordinal) && !g.Key.EndsWith("|*", StringComparison.Ordinal)).Sum(g => g.Value);
        var englishRest = byLocale["en"] - both.Where(g => g.Key.EndsWith("|en", StringComparison.Ordinal) && !g.Key.StartsWith("*|", StringComparison.Ordinal)).Sum(g => g.Value);
        Assert.True(marchRest is 0 or >= K, $"March − its cells = {marchRest}");
        Assert.True(englishRest is 0 or >= K, $"English − its cells = {englishRest}");
    }

    [Fact]
    public async Task TheDifferencingAttack_ANarrowerFilter_CannotBeAsked()
    {
        // "Sign-ups in March" vs "sign-ups in March before the 31st": there is no filter to narrow a month with.
        foreach (var narrower in new[]
                 {
                     """{ statistics(by: [{ dimension: SIGN_UP_MONTH }], before: "2026-03-31") { population } }""",
                     """{ statistics(by: [{ dimension: SIGN_UP_MONTH, from: "2026-03-01", to: "2026-03-30" }]) { population } }""",
                     """{ statistics(by: [{ dimension: SIGN_UP_DAY }]) { population } }""",
                 })
        {
            var response = await api.GraphQLAsync(narrower, null, api.StaffToken());
            Assert.Null(response.Data?["statistics"]);
            Assert.NotEmpty(response.ErrorCodes);
            Assert.True(response.Status is 400 or 200, response.ToString());
        }
    }

    [Fact]
    public async Task ErasedAccountsAreNotCounted()
    {
        await SeedAsync(K, "BE");
        var erased = await api.CreateUserAsync($"gone-{Guid.NewGuid():N}@stats.example");
        await api.ExecuteDbAsync(db => db.Database.ExecuteSqlInterpolatedAsync($"UPDATE users SET country = 'BE' WHERE id = {erased.Id}"));
        Assert.Equal(K + 1, Groups(await StatisticsAsync(null, Axis("COUNTRY")))["BE"]);

        var terminated = await api.GraphQLAsync("mutation($input: TerminateAccountInput!) { terminateAccount(input: $input) { errors { code } } }",
            new { input = new { userId = erased.Id.ToString(), reason = "Spam." } }, api.StaffToken());
        Assert.Empty(terminated.DataOrFail()["terminateAccount"]!["errors"]!.AsArray());

        // The question keeps its answer for a day (asking again teaches nothing); the next day's count has the account gone.
        Assert.Equal(K + 1, Groups(await StatisticsAsync(null, Axis("COUNTRY")))["BE"]);
        api.Clock.Advance(TimeSpan.FromDays(1));
        Assert.Equal(K, Groups(await StatisticsAsync(null, Axis("COUNTRY")))["BE"]);
    }

    [Fact]
    public async Task TheSamePairAskedEitherWay_IsTheSameAnswerTransposed()
    {
        await SeedAsync(25, "BE", "Fr");
        await SeedAsync(12, "BE", "Nl");
        await SeedAsync(4, "BE", "En");
        await SeedAsync(11, "FR", "Fr");
        await SeedAsync(13, "NL", "Nl");
        await SeedAsync(6, "NL", "En");

        var countryFirst = Groups(await StatisticsAsync(null, Axis("COUNTRY"), Axis("LOCALE")));
        var localeFirst = Groups(await StatisticsAsync(null, Axis("LOCALE"), Axis("COUNTRY")));

        Assert.Equal(countryFirst, localeFirst.ToDictionary(g => string.Join("|", g.Key.Split('|').Reverse()), g => g.Value));
        Assert.All(countryFirst.Values, n => Assert.True(n >= K));
        Assert.Equal(71, countryFirst.Values.Sum());
    }

    [Fact]
    public async Task Activity_CountsTimeSinceTheLastSignIn_OnTheApiClock()
    {
        await SeedAsync(K, "BE", createdAt: Now.AddYears(-2), lastSignIn: Now.AddDays(-3));
        await SeedAsync(K, "BE", createdAt: Now.AddYears(-2), lastSignIn: Now.AddDays(-45));
        await SeedAsync(K, "BE", createdAt: Now.AddDays(-200));
        await SeedAsync(K, "BE", createdAt: Now.AddYears(-2), lastSignIn: Now.AddDays(-400));

        var groups = Groups(await StatisticsAsync(null, Axis("ACTIVITY")));

        Assert.Equal(new Dictionary<string, int> { ["within-30-days"] = K, ["within-90-days"] = K, ["within-a-year"] = K, ["over-a-year"] = K }, groups);
        api.Clock.Advance(TimeSpan.FromDays(30)); // this class's clock only moves forward; every test seeds relative to it (and a day makes every stored answer stale)
        groups = Groups(await StatisticsAsync(null, Axis("ACTIVITY")));
        Assert.Equal(new Dictionary<string, int> { ["within-90-days"] = 2 * K, ["within-a-year"] = K, ["over-a-year"] = K }, groups);
    }

    [Fact]
    public async Task ConsentsConnectedAccountsScopesAndPolicyDecisions_AreCountedFromWhatPeopleDecided()
    {
        var people = new List<Guid>();
        for (var i = 0; i < 2 * K; i++) people.Add((await api.CreateUserAsync($"p{i}-{Guid.NewGuid():N}@stats.example")).Id);
        for (var i = 0; i < people.Count; i++)
        {
            var granted = i % 2 == 0; // 10 granted, 10 refused
            var decided = await api.GraphQLAsync($$"""
                mutation { decideConsent(input: { choices: [{ purpose: STATISTICS, granted: {{(granted ? "true" : "false")}} }, { purpose: PERSONALISATION, granted: true }],
                  policyVersion: "1.0", bannerVersion: "b1", frontEnd: "www.imail.example" }) { errors { code } } }
                """, null, api.UserToken(people[i]));
            Assert.True(decided.DataOrFail()["decideConsent"]!["errors"]!.AsArray().Count == 0, decided.ToString());
            if (i < K)
            {
                var connected = await api.GraphQLAsync("mutation($input: ConnectAccountInput!) { connectAccount(input: $input) { errors { code } } }",
                    new { input = new { provider = "mastodon", externalAccountId = $"m{i}", grantedScopes = i < 5 ? new[] { "profile", "email" } : ["profile"], profile = Array.Empty<object>() } },
                    api.UserToken(people[i]));
                Assert.True(connected.DataOrFail()["connectAccount"]!["errors"]!.AsArray().Count == 0, connected.ToString());
            }
        }
        await api.ExecuteDbAsync(db => db.Database.ExecuteSqlRawAsync(
            "INSERT INTO policy_decisions (id, user_id, policy_number, decision, decided_at) SELECT gen_random_uuid(), id, '1.0', 'Accepted', now() FROM users"));

        Assert.Equal(new Dictionary<string, int> { ["granted"] = K, ["refused"] = K }, Groups(await StatisticsAsync(null, Axis("CONSENT", purpose: "STATISTICS"))));
        Assert.Equal(new Dictionary<string, int> { ["granted"] = 2 * K }, Groups(await StatisticsAsync(null, Axis("CONSENT", purpose: "PERSONALISATION"))));
        // Past its 13 months an answer says nothing (P5): everyone is "none" (counted again: the stored answer is past its day).
        api.Clock.Advance(TimeSpan.FromDays(400));
        Assert.Equal(new Dictionary<string, int> { ["none"] = 2 * K }, Groups(await StatisticsAsync(null, Axis("CONSENT", purpose: "STATISTICS"))));
        Assert.Equal(new Dictionary<string, int> { ["connected"] = K, ["not-connected"] = K }, Groups(await StatisticsAsync(null, Axis("CONNECTED_ACCOUNT", provider: "Mastodon"))));
        // 5 granted email: fewer than k, merged with the 15 others — and the 15 alone would give the 5 back, so both are "other".
        Assert.Equal(new Dictionary<string, int> { ["*"] = 2 * K }, Groups(await StatisticsAsync(null, Axis("GRANTED_SCOPE", provider: "mastodon", scope: "email"))));
        Assert.Equal(new Dictionary<string, int> { ["granted"] = K, ["not-granted"] = K }, Groups(await StatisticsAsync(null, Axis("GRANTED_SCOPE", provider: "mastodon", scope: "profile"))));
        Assert.Equal(new Dictionary<string, int> { ["accepted"] = 2 * K }, Groups(await StatisticsAsync(null, Axis("POLICY_DECISION", policyVersion: "1.0"))));
    }

    [Fact]
    public async Task Partners_AskOnlySharedDimensions_AndNoPairThatClosesACycle()
    {
        await SeedAsync(30, "BE", "Fr");
        await SeedAsync(30, "FR", "Nl");
        var partner = api.Token("partner", "partner-stats");

        Assert.Equal(60, (int)(await StatisticsAsync(partner, Axis("COUNTRY"), Axis("LOCALE")))["population"]!);
        Assert.Equal(60, (int)(await StatisticsAsync(partner, Axis("LOCALE"), Axis("SIGN_UP_MONTH")))["population"]!);
        Assert.Equal(60, (int)(await StatisticsAsync(partner, Axis("LOCALE"), Axis("COUNTRY")))["population"]!); // the same pair again

        var cycle = await api.GraphQLAsync(Ask, new { by = new[] { Axis("SIGN_UP_MONTH"), Axis("COUNTRY") } }, partner);
        Assert.Equal(["COMBINATION_REFUSED"], cycle.ErrorCodes);
        Assert.Contains("COUNTRY × LOCALE", (string)cycle.Errors![0]!["message"]!);
        var notShared = await api.GraphQLAsync(Ask, new { by = new[] { Axis("CONSENT", purpose: "STATISTICS") } }, partner);
        Assert.Equal(["DIMENSION_NOT_SHARED"], notShared.ErrorCodes);

        // Another partner holds no answers yet; staff are not bound by the cycle rule (they can read every account anyway).
        Assert.Equal(60, (int)(await StatisticsAsync(api.Token("partner", "another-partner"), Axis("SIGN_UP_MONTH"), Axis("COUNTRY")))["population"]!);
        await StatisticsAsync(null, Axis("COUNTRY"), Axis("LOCALE"));
        await StatisticsAsync(null, Axis("LOCALE"), Axis("SIGN_UP_MONTH"));
        Assert.Equal(60, (int)(await StatisticsAsync(null, Axis("SIGN_UP_MONTH"), Axis("COUNTRY")))["population"]!);

        var dimensions = (await api.GraphQLAsync("{ statisticsDimensions { dimension argument sharedWithPartners } }", null, partner)).DataOrFail()["statisticsDimensions"]!.AsArray();
        Assert.Equal(["COUNTRY", "LOCALE", "SIGN_UP_MONTH"], dimensions.Where(d => (bool)d!["sharedWithPartners"]!).Select(d => (string)d!["dimension"]!));
    }

    [Fact]
    public async Task APartnerAskingTheThreePairsOfACycleAtOnce_WithAliases_GetsTwoOfThem()
    {
        await SeedAsync(30, "BE", "Fr");
        await SeedAsync(30, "FR", "Nl");
        var partner = api.Token("partner", $"partner-aliases-{Guid.NewGuid():N}");

        // Aliased root fields run side by side: the per-asker lock makes them take turns, so the cycle is still seen.
        var response = await api.GraphQLAsync("""
            {
              a: statistics(by: [{ dimension: COUNTRY }, { dimension: LOCALE }]) { population }
              b: statistics(by: [{ dimension: LOCALE }, { dimension: SIGN_UP_MONTH }]) { population }
              c: statistics(by: [{ dimension: SIGN_UP_MONTH }, { dimension: COUNTRY }]) { population }
            }
            """, null, partner);

        Assert.Equal(["COMBINATION_REFUSED"], response.ErrorCodes);
        Assert.Equal(2, new[] { "a", "b", "c" }.Count(alias => response.Data?[alias]?["population"] is not null));
        var answered = await api.ExecuteDbAsync(db => db.StatisticsRequests.CountAsync(r => r.Asker.StartsWith("partner-aliases-") && r.Refusal == null));
        Assert.Equal(2, answered);
    }

    [Fact]
    public async Task EveryRequestIsLogged_WhoAndWhichAxes_NeverTheAnswer()
    {
        await SeedAsync(30, "BE");
        var partner = api.Token("partner", "partner-log");
        await StatisticsAsync(partner, Axis("COUNTRY"));
        await api.GraphQLAsync(Ask, new { by = new[] { Axis("ACTIVITY") } }, partner);
        await StatisticsAsync(null, Axis("CONSENT", purpose: "PERSONALISATION"), Axis("LOCALE"));

        var log = await api.ExecuteDbAsync(db => db.StatisticsRequests.AsNoTracking().OrderBy(r => r.Role).ThenBy(r => r.Refusal).ToListAsync());
        Assert.Equal(
            [("partner", "partner-log", "ACTIVITY", "DIMENSION_NOT_SHARED"), ("partner", "partner-log", "COUNTRY", null), ("staff", "staff-test", "CONSENT(personalisation) LOCALE", (string?)null)],
            log.Select(r => (r.Role, r.Asker, string.Join(" ", r.Axes), r.Refusal)));
        Assert.All(log, r => Assert.Equal(K, r.K));
        // The table has no column for a count or a group.
        var columns = await api.ExecuteDbAsync(db => db.Database.SqlQueryRaw<string>(
            "SELECT column_name AS \"Value\" FROM information_schema.columns WHERE table_name = 'statistics_requests' ORDER BY column_name").ToListAsync());
        Assert.Equal(["asked_at", "asker", "axes", "id", "k", "refusal", "role"], columns);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("user")]
    public async Task Users_AndAnonymousCallers_AreRefused(string? role)
    {
        var token = role is null ? null : api.UserToken((await api.CreateUserAsync($"curious-{Guid.NewGuid():N}@stats.example")).Id);
        var response = await api.GraphQLAsync(Ask, new { by = new[] { Axis("COUNTRY") } }, token ?? "");
        Assert.Null(response.Data?["statistics"]);
        Assert.NotEmpty(response.ErrorCodes);
        Assert.Empty(await api.ExecuteDbAsync(db => db.StatisticsRequests.ToListAsync()));
    }

    public static TheoryData<string, object[], string> BadQuestions => new()
    {
        { "no axis", [], "INVALID_STATISTICS_AXES" },
        { "three axes", [Axis("COUNTRY"), Axis("LOCALE"), Axis("ACTIVITY")], "INVALID_STATISTICS_AXES" },
        { "the same axis twice", [Axis("COUNTRY"), Axis("COUNTRY")], "INVALID_STATISTICS_AXES" },
        { "linked: month and activity", [Axis("SIGN_UP_MONTH"), Axis("ACTIVITY")], "LINKED_DIMENSIONS" },
        { "linked: a provider and its scope", [Axis("CONNECTED_ACCOUNT", provider: "mastodon"), Axis("GRANTED_SCOPE", provider: "mastodon", scope: "email")], "LINKED_DIMENSIONS" },
        { "consent without a purpose", [Axis("CONSENT")], "INVALID_STATISTICS_AXIS" },
        { "consent for necessary cookies", [Axis("CONSENT", purpose: "NECESSARY")], "INVALID_STATISTICS_AXIS" },
        { "a purpose on country", [Axis("COUNTRY", purpose: "STATISTICS")], "INVALID_STATISTICS_AXIS" },
        { "an unknown provider", [Axis("CONNECTED_ACCOUNT", provider: "myspace")], "INVALID_STATISTICS_AXIS" },
        { "an unknown scope", [Axis("GRANTED_SCOPE", provider: "mastodon", scope: "dms")], "INVALID_STATISTICS_AXIS" },
        { "a scope without provider", [Axis("GRANTED_SCOPE", scope: "email")], "INVALID_STATISTICS_AXIS" },
        { "an unpublished version", [Axis("POLICY_DECISION", policyVersion: "9.9")], "INVALID_STATISTICS_AXIS" },
        { "control characters", [Axis("CONNECTED_ACCOUNT", provider: "mast\u0001odon")], "INVALID_CHARACTERS" },
        { "200 KB", [Axis("CONNECTED_ACCOUNT", provider: new string('m', 200_000))], "*" },
    };

    [Theory]
    [MemberData(nameof(BadQuestions))]
    public async Task ABadQuestion_GetsATypedError_AndNoAnswer(string what, object[] by, string code)
    {
        await SeedAsync(30, "BE");
        var response = await api.GraphQLAsync(Ask, new { by }, api.StaffToken());
        Assert.True(response.Status is 200 or 400, $"{what}: {response}");
        Assert.Null(response.Data?["statistics"]);
        var codes = response.ErrorCodes.ToList();
        Assert.NotEmpty(codes);
        Assert.DoesNotContain(codes, c => c is null or "INTERNAL_SERVER_ERROR" or "EXECUTION_ERROR");
        if (code != "*") Assert.Equal([code], codes);
    }

    [Fact]
    public async Task ANulCharacterInAnArgument_IsATypedError()
    {
        var response = await api.GraphQLAsync(Ask, new { by = new[] { Axis("GRANTED_SCOPE", provider: "mastodon", scope: "em\0ail") } }, api.StaffToken());
        Assert.Null(response.Data?["statistics"]);
        Assert.DoesNotContain(response.ErrorCodes, c => c is null or "INTERNAL_SERVER_ERROR" or "EXECUTION_ERROR");
    }

    private static IEnumerable<int> Subsets(List<int> values)
    {
        for (var mask = 0; mask < 1 << values.Count; mask++)
            yield return Enumerable.Range(0, values.Count).Where(i => (mask >> i & 1) == 1).Sum(i => values[i]);
    }
}
