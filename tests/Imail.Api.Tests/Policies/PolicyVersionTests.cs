using System.Text.Json.Nodes;
using Imail.Api.Tests.Consents;
using Imail.Domain.Policies;
using Imail.Testing;
using Microsoft.EntityFrameworkCore;

namespace Imail.Api.Tests.Policies;

/// <summary>
/// P13: "Every version of the policy is kept. (…) A change that lowers the privacy level substantially needs each
/// user's consent: until a user accepts it, the previous, more protective version keeps governing their data, and
/// the API says which version applies to whom."
/// </summary>
public sealed class PolicyVersionTests(ImailApiFactory api) : IClassFixture<ImailApiFactory>
{
    private const string VersionFields = "number status effectiveAt inEffect publishedAt substantial lowersPrivacy summary { fr nl en } newlyAllowedPurposes newlyAllowedScopes { provider scope }";

    private const string Draft = $$"""
        mutation($input: DraftPolicyVersionInput!) { draftPolicyVersion(input: $input) { policyVersion { {{VersionFields}} } errors { __typename code message ... on InputError { field } } } }
        """;

    private const string Edit = $$"""
        mutation($input: EditPolicyVersionInput!) { editPolicyVersion(input: $input) { policyVersion { {{VersionFields}} } errors { __typename code message } } }
        """;

    private const string Publish = $$"""
        mutation($n: String!) { publishPolicyVersion(input: { number: $n }) { policyVersion { {{VersionFields}} } announcementsQueued errors { __typename code message } } }
        """;

    private const string One = $$"""query($n: String!) { policyVersion(number: $n) { {{VersionFields}} text { fr } } }""";

    private const string MyPolicy = """
        { me { policy { governingVersion { number } currentVersion { number } governedByCurrentVersion pendingAcceptance { number } decisions { policyVersion decision decidedAt frontEnd } } } }
        """;

    private DateTimeOffset Now => api.Clock.GetUtcNow();

    private static object Input(string number, DateTimeOffset effectiveAt, bool substantial = true, bool lowersPrivacy = false,
        string[]? purposes = null, object[]? scopes = null, string summary = "Ce qui change.") => new
        {
            number,
            effectiveAt,
            substantial,
            lowersPrivacy,
            summary = new { fr = summary, nl = "Wat verandert.", en = "What changes." },
            text = new { fr = "Texte.", nl = "Tekst.", en = "Text." },
            newlyAllowedPurposes = purposes,
            newlyAllowedScopes = scopes,
        };

    private async Task<JsonNode> StaffAsync(string query, object variables, string field)
    {
        var payload = (await api.GraphQLAsync(query, variables, api.StaffToken())).DataOrFail()[field]!;
        return payload;
    }

    private async Task<JsonNode> PublishedAsync(object input)
    {
        var drafted = await StaffAsync(Draft, new { input }, "draftPolicyVersion");
        Assert.Empty(drafted["errors"]!.AsArray());
        var published = await StaffAsync(Publish, new { n = (string)drafted["policyVersion"]!["number"]! }, "publishPolicyVersion");
        Assert.Empty(published["errors"]!.AsArray());
        return published;
    }

    private static string? Code(JsonNode payload) => (string?)payload["errors"]!.AsArray().Single()!["code"];

    [Fact]
    public async Task P13_StaffDraftEditAndPublish_ThePublishedVersionIsPublicAndImmutable_ADraftIsStaffOnly()
    {
        var drafted = await StaffAsync(Draft, new { input = Input("2.0-a", Now.AddDays(30)) }, "draftPolicyVersion");
        Assert.Equal("DRAFT", (string?)drafted["policyVersion"]!["status"]);

        Assert.Null((await api.GraphQLAsync(One, new { n = "2.0-a" })).DataOrFail()["policyVersion"]);
        Assert.NotNull((await api.GraphQLAsync(One, new { n = "2.0-a" }, api.StaffToken())).DataOrFail()["policyVersion"]);
        var anonymousList = (await api.GraphQLAsync("{ policyVersions(first: 100, includeDrafts: true) { nodes { number status } } }")).DataOrFail();
        Assert.DoesNotContain(anonymousList["policyVersions"]!["nodes"]!.AsArray(), n => (string?)n!["number"] == "2.0-a");

        var edited = await StaffAsync(Edit, new { input = new { number = "2.0-a", summary = new { en = "What really changes." } } }, "editPolicyVersion");
        Assert.Equal(("Ce qui change.", "What really changes."), ((string?)edited["policyVersion"]!["summary"]!["fr"], (string?)edited["policyVersion"]!["summary"]!["en"]));

        var published = await StaffAsync(Publish, new { n = "2.0-a" }, "publishPolicyVersion");
        Assert.Equal("PUBLISHED", (string?)published["policyVersion"]!["status"]);

        var anonymous = (await api.GraphQLAsync(One, new { n = "2.0-a" })).DataOrFail()["policyVersion"]!;
        Assert.Equal(("What really changes.", "Texte."), ((string?)anonymous["summary"]!["en"], (string?)anonymous["text"]!["fr"]));
        var list = (await api.GraphQLAsync("{ policyVersions(first: 100) { nodes { number status } } }")).DataOrFail()["policyVersions"]!["nodes"]!.AsArray();
        Assert.Contains(list, n => (string?)n!["number"] == "2.0-a");
        Assert.Contains(list, n => (string?)n!["number"] == TestPolicy.Version);

        var refusedEdit = await StaffAsync(Edit, new { input = new { number = "2.0-a", summary = new { en = "Sneaky." } } }, "editPolicyVersion");
        Assert.Equal(("ConflictError", "POLICY_VERSION_PUBLISHED"), ((string?)refusedEdit["errors"]![0]!["__typename"], Code(refusedEdit)));
        Assert.Equal("ALREADY_PUBLISHED", Code(await StaffAsync(Publish, new { n = "2.0-a" }, "publishPolicyVersion")));
        Assert.Equal("What really changes.", await api.ExecuteDbAsync(db => db.PolicyVersions.Where(v => v.Number == "2.0-a").Select(v => v.SummaryEn).SingleAsync()));
    }

    [Fact]
    public async Task P13_OnlyStaffWriteVersions()
    {
        var user = await api.CreateUserAsync($"{Guid.NewGuid():N}@example.org");
        foreach (var token in new[] { null, api.UserToken(user.Id) })
        {
            var response = await api.GraphQLAsync(Draft, new { input = Input("x-denied", Now.AddDays(30)) }, token);
            Assert.Null(response.Data);
        }
        Assert.False(await api.ExecuteDbAsync(db => db.PolicyVersions.AnyAsync(v => v.Number == "x-denied")));
    }

    public static TheoryData<string, string> BadDrafts() => new()
    {
        { "bad number", "INVALID_POLICY_NUMBER" },
        { "-leading-dash", "INVALID_POLICY_NUMBER" },
        { new string('9', 33), "INVALID_POLICY_NUMBER" },
        { "past", "EFFECTIVE_DATE_IN_PAST" },
        { "long-summary", "INVALID_SUMMARY" },
        { "override", "INVALID_TEXT" },
        { "necessary", "INVALID_NEWLY_ALLOWED_PURPOSE" },
        { "scope", "INVALID_NEWLY_ALLOWED_SCOPE" },
        { "not-lowering", "NEWLY_ALLOWED_WITHOUT_LOWERING" },
        { "lowering-quietly", "LOWERING_NOT_SUBSTANTIAL" },
        { TestPolicy.Version, "POLICY_NUMBER_TAKEN" },
    };

    [Theory]
    [MemberData(nameof(BadDrafts))]
    public async Task P13_BadDrafts_GetATypedError_AndWriteNothing(string number, string code)
    {
        var future = Now.AddDays(30);
        object input = number switch
        {
            "past" => Input(number, Now.AddSeconds(-1)),
            "long-summary" => Input(number, future, summary: new string('a', PolicyVersion.SummaryMaxLength + 1)),
            "override" => new { number, effectiveAt = future, substantial = true, lowersPrivacy = false, text = new { fr = "Texte \u202E inversé" } },
            "necessary" => Input(number, future, lowersPrivacy: true, purposes: ["NECESSARY"]),
            "scope" => Input(number, future, lowersPrivacy: true, scopes: [new { provider = "mastodon", scope = "dm:read" }]),
            "not-lowering" => Input(number, future, purposes: ["PERSONALISATION"]),
            "lowering-quietly" => Input(number, future, substantial: false, lowersPrivacy: true),
            _ => Input(number, future),
        };
        var count = await api.ExecuteDbAsync(db => db.PolicyVersions.CountAsync());

        var payload = await StaffAsync(Draft, new { input }, "draftPolicyVersion");

        Assert.Equal(code, Code(payload));
        Assert.Null(payload["policyVersion"]);
        Assert.Equal(count, await api.ExecuteDbAsync(db => db.PolicyVersions.CountAsync()));
    }

    [Fact]
    public async Task P13_NulAndOversizeTexts_AreRefused_NothingIsWritten()
    {
        var nul = await api.GraphQLAsync(Draft, new { input = new { number = "nul", effectiveAt = Now.AddDays(30), substantial = true, lowersPrivacy = false, text = new { fr = "a\0b" } } }, api.StaffToken());
        Assert.Contains("INVALID_CHARACTERS", nul.ErrorCodes);
        var tooLong = await StaffAsync(Draft, new { input = new { number = "long", effectiveAt = Now.AddDays(30), substantial = true, lowersPrivacy = false, text = new { nl = new string('t', PolicyVersion.TextMaxLength + 1) } } }, "draftPolicyVersion");
        Assert.Equal("INVALID_TEXT", Code(tooLong));
        Assert.False(await api.ExecuteDbAsync(db => db.PolicyVersions.AnyAsync(v => v.Number == "nul" || v.Number == "long")));
    }

    [Fact]
    public async Task P13_PublishingNeedsEveryLanguage_AndAnUnknownNumberIsTyped()
    {
        await StaffAsync(Draft, new { input = new { number = "fr-only", effectiveAt = Now.AddDays(30), substantial = false, lowersPrivacy = false, summary = new { fr = "Résumé." }, text = new { fr = "Texte." } } }, "draftPolicyVersion");

        var missing = await StaffAsync(Publish, new { n = "fr-only" }, "publishPolicyVersion");

        Assert.Equal("MISSING_TRANSLATION", Code(missing));
        Assert.Contains("summary.nl", (string?)missing["errors"]![0]!["message"]);
        Assert.Equal("UNKNOWN_POLICY_VERSION", Code(await StaffAsync(Publish, new { n = "no-such" }, "publishPolicyVersion")));
        Assert.Equal("UNKNOWN_POLICY_VERSION", Code(await StaffAsync(Edit, new { input = new { number = "no-such", substantial = false } }, "editPolicyVersion")));
        Assert.Null((await api.GraphQLAsync(One, new { n = "fr-only" })).DataOrFail()["policyVersion"]);
    }

    [Fact]
    public async Task P13_ALoweringVersion_GovernsOnlyThoseWhoAcceptIt_OrSignedUpAfterIt_FromItsEffectiveDate_ToTheSecond()
    {
        var effective = Now.AddDays(20);
        var before = await api.CreateUserAsync($"{Guid.NewGuid():N}@example.org");
        await PublishedAsync(Input("3.0-gov", effective, lowersPrivacy: true, purposes: ["PERSONALISATION"]));
        string Token() => api.UserToken(before.Id); // issued at the clock's time: tokens outlive no clock jump

        // Announced, not in effect: 1.0 governs and is current; the version waits for the person's answer.
        var mine = await PolicyAsync(Token());
        Assert.Equal((TestPolicy.Version, TestPolicy.Version), ((string?)mine["governingVersion"]!["number"], (string?)mine["currentVersion"]!["number"]));
        Assert.Equal(["3.0-gov"], mine["pendingAcceptance"]!.AsArray().Select(v => (string?)v!["number"]));
        Assert.Equal("POLICY_ACCEPTANCE_REQUIRED", Code(await DecideAsync(Token(), personalisation: true)));
        Assert.Equal("ForbiddenError", (string?)(await DecideAsync(Token(), personalisation: true))["errors"]![0]!["__typename"]);
        Assert.Empty((await DecideAsync(Token(), personalisation: false))["errors"]!.AsArray());

        // Accepted in advance: still not before its date, one second before it.
        Assert.Empty((await AnswerAsync("acceptPolicyVersion", "3.0-gov", Token()))["errors"]!.AsArray());
        api.Clock.SetUtcNow(effective.AddSeconds(-1));
        Assert.Equal(TestPolicy.Version, (string?)(await PolicyAsync(Token()))["governingVersion"]!["number"]);
        Assert.Equal(TestPolicy.Version, (string?)(await api.GraphQLAsync("{ currentPolicyVersion { number } }")).DataOrFail()["currentPolicyVersion"]!["number"]);
        Assert.Equal("POLICY_ACCEPTANCE_REQUIRED", Code(await DecideAsync(Token(), personalisation: true)));

        api.Clock.SetUtcNow(effective);
        Assert.Equal("3.0-gov", (string?)(await api.GraphQLAsync("{ currentPolicyVersion { number } }")).DataOrFail()["currentPolicyVersion"]!["number"]);
        mine = await PolicyAsync(Token());
        Assert.Equal(("3.0-gov", true, 0), ((string?)mine["governingVersion"]!["number"], (bool)mine["governedByCurrentVersion"]!, mine["pendingAcceptance"]!.AsArray().Count));
        Assert.Empty((await DecideAsync(Token(), personalisation: true))["errors"]!.AsArray());

        // Refused (the acceptance withdrawn): the previous, more protective version governs again, and staff see the same.
        Assert.Empty((await AnswerAsync("refusePolicyVersion", "3.0-gov", Token(), frontEnd: "settings.imail.example"))["errors"]!.AsArray());
        mine = await PolicyAsync(Token());
        Assert.Equal((TestPolicy.Version, false), ((string?)mine["governingVersion"]!["number"], (bool)mine["governedByCurrentVersion"]!));
        Assert.Equal([("3.0-gov", "ACCEPTED"), ("3.0-gov", "REFUSED")], mine["decisions"]!.AsArray().Select(d => ((string?)d!["policyVersion"], (string?)d["decision"])));
        Assert.Equal("settings.imail.example", (string?)mine["decisions"]![1]!["frontEnd"]);
        var staffView = (await api.GraphQLAsync("query($id: ID!) { user(id: $id) { policy { governingVersion { number } pendingAcceptance { number } } } }",
            new { id = before.Id }, api.StaffToken())).DataOrFail()["user"]!["policy"]!;
        Assert.Equal((TestPolicy.Version, "3.0-gov"), ((string?)staffView["governingVersion"]!["number"], (string?)staffView["pendingAcceptance"]![0]!["number"]));
        Assert.Equal("POLICY_ACCEPTANCE_REQUIRED", Code(await DecideAsync(Token(), personalisation: true)));

        // Someone who signs up after it took effect accepted it then; an anonymous visitor is governed by the current version.
        var after = await api.CreateUserAsync($"{Guid.NewGuid():N}@example.org");
        mine = await PolicyAsync(api.UserToken(after.Id));
        Assert.Equal(("3.0-gov", 0), ((string?)mine["governingVersion"]!["number"], mine["pendingAcceptance"]!.AsArray().Count));
        Assert.Empty((await DecideAsync(api.UserToken(after.Id), personalisation: true))["errors"]!.AsArray());
        Assert.Equal("ACCEPTED_AT_SIGN_UP", Code(await AnswerAsync("refusePolicyVersion", "3.0-gov", api.UserToken(after.Id))));
        Assert.Empty((await DecideAsync(null, personalisation: true))["errors"]!.AsArray());
    }

    [Fact]
    public async Task P13_AScopeOnlyALoweringVersionAllows_IsRefusedToConnectAccount_UntilTheVersionGovernsThePerson()
    {
        var effective = Now.AddDays(5);
        var user = await api.CreateUserAsync($"{Guid.NewGuid():N}@example.org");
        await PublishedAsync(Input("3.0-scope", effective, lowersPrivacy: true, scopes: [new { provider = "bluesky", scope = "follows" }]));
        api.Clock.SetUtcNow(effective.AddSeconds(1));
        var token = api.UserToken(user.Id);
        const string connect = """
            mutation { connectAccount(input: { provider: "bluesky", externalAccountId: "did:plc:p13", grantedScopes: ["profile", "follows"], profile: [{ name: "followersCount", value: "12" }] }) { connectedAccount { grantedScopes } errors { __typename code } } }
            """;

        var refused = (await api.GraphQLAsync(connect, token: token)).DataOrFail()["connectAccount"]!;
        Assert.Equal(("ForbiddenError", "POLICY_ACCEPTANCE_REQUIRED"), ((string?)refused["errors"]![0]!["__typename"], Code(refused)));
        Assert.False(await api.ExecuteDbAsync(db => db.ConnectedAccounts.AnyAsync(a => a.UserId == user.Id)));

        Assert.Empty((await AnswerAsync("acceptPolicyVersion", "3.0-scope", token))["errors"]!.AsArray());
        var connected = (await api.GraphQLAsync(connect, token: token)).DataOrFail()["connectAccount"]!;
        Assert.True(connected["errors"]!.AsArray().Count == 0, connected.ToJsonString());
        Assert.Equal(["profile", "follows"], connected["connectedAccount"]!["grantedScopes"]!.AsArray().Select(s => (string?)s));
    }

    [Fact]
    public async Task P13_AnswersNeedAPublishedLoweringVersion()
    {
        var user = await api.CreateUserAsync($"{Guid.NewGuid():N}@example.org");
        var token = api.UserToken(user.Id);
        await StaffAsync(Draft, new { input = Input("draft-lowering", Now.AddDays(30), lowersPrivacy: true) }, "draftPolicyVersion");

        Assert.Equal("UNKNOWN_POLICY_VERSION", Code(await AnswerAsync("acceptPolicyVersion", "draft-lowering", token)));
        Assert.Equal("UNKNOWN_POLICY_VERSION", Code(await AnswerAsync("acceptPolicyVersion", "no-such", token)));
        Assert.Equal("ACCEPTANCE_NOT_NEEDED", Code(await AnswerAsync("acceptPolicyVersion", TestPolicy.Version, token)));
        Assert.Equal(0, await api.ExecuteDbAsync(db => db.PolicyDecisions.CountAsync(d => d.UserId == user.Id)));
        Assert.Null((await api.GraphQLAsync("""mutation { acceptPolicyVersion(input: { number: "1.0" }) { errors { code } } }""")).Data);
    }

    [Fact]
    public async Task P13_AConsentDecision_NamesAPublishedVersion_ADraftIsUnknown_SignedInOrNot()
    {
        var number = $"draft-{Guid.NewGuid():N}"[..20];
        await StaffAsync(Draft, new { input = Input(number, Now.AddDays(30)) }, "draftPolicyVersion");
        var user = await api.CreateUserAsync($"{Guid.NewGuid():N}@example.org");
        const string Decide = """
            mutation($p: String!) { decideConsent(input: { choices: [{ purpose: STATISTICS, granted: true }, { purpose: PERSONALISATION, granted: false }], policyVersion: $p, bannerVersion: "b", frontEnd: "f" }) { errors { code message } } }
            """;

        foreach (var token in new[] { null, api.UserToken(user.Id) })
            foreach (var policy in new[] { number, $" {number} ", "no-such" })
            {
                var error = (await api.GraphQLAsync(Decide, new { p = policy }, token)).DataOrFail()["decideConsent"]!["errors"]!.AsArray().Single()!;
                Assert.Equal("UNKNOWN_POLICY_VERSION", (string?)error["code"]);
            }
        // The published version, padded, is that version (trimmed like the input it is).
        Assert.Empty((await api.GraphQLAsync(Decide, new { p = $" {TestPolicy.Version} " }, api.UserToken(user.Id))).DataOrFail()["decideConsent"]!["errors"]!.AsArray());
    }

    private async Task<JsonNode> PolicyAsync(string token) => (await api.GraphQLAsync(MyPolicy, token: token)).DataOrFail()["me"]!["policy"]!;

    private async Task<JsonNode> AnswerAsync(string mutation, string number, string token, string? frontEnd = null) =>
        (await api.GraphQLAsync($$"""mutation($n: String!, $f: String) { {{mutation}}(input: { number: $n, frontEnd: $f }) { decision { policyVersion decision } errors { __typename code message } } }""",
            new { n = number, f = frontEnd }, token)).DataOrFail()[mutation]!;

    private Task<JsonNode> DecideAsync(string? token, bool personalisation) =>
        api.TryDecideAsync(ConsentApi.Input(null, statistics: true, personalisation: personalisation), token);
}
