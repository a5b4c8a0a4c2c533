using System.Text.Json.Nodes;
using Imail.Api.Auth;
using Imail.Domain.Users;
using Imail.Testing;
using Microsoft.EntityFrameworkCore;

namespace Imail.Api.Tests.Lifecycle;

/// <summary>
/// P11: "Staff may terminate an account, or restrict what it can do, without prior warning. A
/// restricted account is refused the restricted operations by the API. Staff actions are audited
/// (who, when, why), and the audit survives the erasure without identifying the person."
/// </summary>
public sealed class TermsOfServiceTests(ImailApiFactory api) : IClassFixture<ImailApiFactory>
{
    private const string Restrict = """
        mutation($id: ID!, $caps: [Capability!]!, $reason: String!) {
          restrictAccount(input: { userId: $id, capabilities: $caps, reason: $reason }) {
            user { id status restrictions }
            errors { __typename code message }
          }
        }
        """;

    private const string Lift = """
        mutation($id: ID!, $caps: [Capability!], $reason: String!) {
          liftRestriction(input: { userId: $id, capabilities: $caps, reason: $reason }) {
            user { id status restrictions }
            errors { __typename code message }
          }
        }
        """;

    private const string Terminate = """
        mutation($id: ID!, $reason: String!) {
          terminateAccount(input: { userId: $id, reason: $reason }) {
            erasedAt
            erasure { id reason byRole byActor subject categories rows { table rows } }
            errors { __typename code message }
          }
        }
        """;

    private const string AuditTrail = """
        query($subject: ID) {
          auditTrail(subject: $subject, first: 100) {
            totalCount
            nodes { id at actor action subject reason details user { id email } }
          }
        }
        """;

    /// <summary>The operation each capability guards, as the person calls it; the value is the payload's errors.</summary>
    private static readonly Dictionary<string, string> Guarded = new()
    {
        ["CONNECTED_ACCOUNTS"] = """mutation { connectAccount(input: { provider: "mastodon", externalAccountId: "tos-1", grantedScopes: ["profile"], profile: [{ name: "username", value: "tos" }] }) { errors { __typename code message } } }""",
        ["RECORD_NAVIGATION"] = """mutation { recordNavigation(input: { frontEnd: "webmail", events: [{ kind: PAGE_VIEW, name: "/inbox" }] }) { errors { __typename code message } } }""",
        ["CHANGE_PROFILE"] = """mutation { updateProfile(input: { displayName: "Renamed by the person" }) { errors { __typename code message } } }""",
    };

    private static readonly Dictionary<string, string> FieldOf = new()
    {
        ["CONNECTED_ACCOUNTS"] = "connectAccount",
        ["RECORD_NAVIGATION"] = "recordNavigation",
        ["CHANGE_PROFILE"] = "updateProfile",
    };

    public static TheoryData<string> Capabilities() => new(Guarded.Keys);

    private Task<User> NewUserAsync(string name = "Test User") => api.CreateUserAsync($"{Guid.NewGuid():N}@example.org", name);

    private async Task<JsonNode> StaffAsync(string query, object variables, string staff = "staff-test", string field = "restrictAccount")
    {
        var response = await api.GraphQLAsync(query, variables, api.Token(Roles.Staff, staff));
        var payload = response.DataOrFail()[field]!;
        Assert.True(payload["errors"]!.AsArray().Count == 0, payload["errors"]!.ToJsonString());
        return payload;
    }

    /// <summary>The codes of a guarded operation's payload errors, called with the person's token.</summary>
    private async Task<List<string?>> CallAsync(string capability, Guid userId)
    {
        var response = await api.GraphQLAsync(Guarded[capability], token: api.UserToken(userId));
        return response.DataOrFail()[FieldOf[capability]]!["errors"]!.AsArray().Select(e => (string?)e!["code"]).ToList();
    }

    [Theory]
    [MemberData(nameof(Capabilities))]
    public async Task P11_ARestrictedAccount_IsRefusedTheRestrictedOperations_AndOnlyThose_UntilTheRestrictionIsLifted(string capability)
    {
        var user = await NewUserAsync();

        var restricted = await StaffAsync(Restrict, new { id = user.Id, caps = new[] { capability }, reason = "Spam (ticket 4411)." });

        Assert.Equal("RESTRICTED", (string?)restricted["user"]!["status"]);
        Assert.Equal([capability], restricted["user"]!["restrictions"]!.AsArray().Select(c => (string?)c));
        var response = await api.GraphQLAsync(Guarded[capability], token: api.UserToken(user.Id));
        var error = Assert.Single(response.DataOrFail()[FieldOf[capability]]!["errors"]!.AsArray())!;
        Assert.Equal(("ForbiddenError", "ACCOUNT_RESTRICTED"), ((string?)error["__typename"], (string?)error["code"]));
        foreach (var other in Guarded.Keys.Where(k => k != capability))
            Assert.DoesNotContain("ACCOUNT_RESTRICTED", await CallAsync(other, user.Id));
        // The person can read why they are refused.
        var me = (await api.GraphQLAsync("{ me { restrictions } }", token: api.UserToken(user.Id))).DataOrFail()["me"]!;
        Assert.Equal([capability], me["restrictions"]!.AsArray().Select(c => (string?)c));

        var lifted = await StaffAsync(Lift, new { id = user.Id, caps = (string[]?)null, reason = "Appeal accepted." }, field: "liftRestriction");

        Assert.Equal(("ACTIVE", 0), ((string?)lifted["user"]!["status"], lifted["user"]!["restrictions"]!.AsArray().Count));
        Assert.Empty(await CallAsync(capability, user.Id));
    }

    [Fact]
    public async Task P11_StaffRestrictWithoutPriorWarning_NoMessageIsSent()
    {
        var user = await NewUserAsync();
        var before = await api.ExecuteDbAsync(db => db.OutboxMessages.CountAsync());

        await StaffAsync(Restrict, new { id = user.Id, caps = new[] { "SIGN_IN", "CHANGE_PROFILE", "CONNECTED_ACCOUNTS", "RECORD_NAVIGATION" }, reason = "Fraud." });

        Assert.Equal(before, await api.ExecuteDbAsync(db => db.OutboxMessages.CountAsync()));
        var restrictions = await api.ExecuteDbAsync(db => db.Users.Where(u => u.Id == user.Id).Select(u => u.Restrictions).SingleAsync());
        Assert.Equal(4, restrictions.Count);
    }

    [Fact]
    public async Task P11_AChangeOfAddressAskedBeforeTheRestriction_IsNotConfirmedAfterIt()
    {
        var user = await NewUserAsync();
        await api.GraphQLAsync("mutation { updateProfile(input: { email: \"tos-new-" + user.Id.ToString("N") + "@example.org\" }) { errors { code } } }", token: api.UserToken(user.Id));
        var payload = await api.ExecuteDbAsync(async db => (await db.OutboxMessages.SingleAsync(m => m.UserId == user.Id)).Payload);
        var code = System.Text.Json.JsonDocument.Parse(payload).RootElement.GetProperty("values").GetProperty("code").GetString();
        await StaffAsync(Restrict, new { id = user.Id, caps = new[] { "CHANGE_PROFILE" }, reason = "Impersonation." });

        var response = await api.GraphQLAsync("mutation($c: String!) { confirmEmailChange(input: { code: $c }) { user { email } errors { __typename code } } }",
            new { c = code }, api.UserToken(user.Id));

        Assert.Equal("ACCOUNT_RESTRICTED", (string?)response.DataOrFail()["confirmEmailChange"]!["errors"]![0]!["code"]);
        Assert.Equal(user.Email, await api.ExecuteDbAsync(db => db.Users.Where(u => u.Id == user.Id).Select(u => u.Email).SingleAsync()));
    }

    [Fact]
    public async Task P11_DisconnectingStaysAllowed_ToAnAccountRestrictedFromConnectedAccounts_ItDeletesData()
    {
        var user = await NewUserAsync();
        Assert.Empty(await CallAsync("CONNECTED_ACCOUNTS", user.Id));
        var connected = await api.ExecuteDbAsync(db => db.ConnectedAccounts.Where(a => a.UserId == user.Id).Select(a => a.Id).SingleAsync());
        await StaffAsync(Restrict, new { id = user.Id, caps = new[] { "CONNECTED_ACCOUNTS" }, reason = "Cross-posting spam." });

        var response = await api.GraphQLAsync("mutation($id: ID!) { disconnectAccount(input: { id: $id }) { disconnectedAccountId errors { code } } }",
            new { id = connected }, api.UserToken(user.Id));

        Assert.Empty(response.DataOrFail()["disconnectAccount"]!["errors"]!.AsArray());
        Assert.Equal(0, await api.ExecuteDbAsync(db => db.ConnectedAccounts.CountAsync(a => a.UserId == user.Id)));
    }

    [Fact]
    public async Task P11_ASignInRestriction_RefusesEveryRequestOfTheAccountsToken_WhileAnotherAccountWorks()
    {
        var user = await NewUserAsync();
        var other = await NewUserAsync();
        Assert.Equal(200, (await api.GraphQLAsync("{ me { id } }", token: api.UserToken(user.Id))).Status); // remembered as allowed, then forgotten by the restriction
        var lastSignIn = await api.ExecuteDbAsync(db => db.Users.Where(u => u.Id == user.Id).Select(u => u.LastAuthenticatedAt).SingleAsync());
        await StaffAsync(Restrict, new { id = user.Id, caps = new[] { "SIGN_IN" }, reason = "Account takeover suspected." });
        var signedInLater = api.Clock.GetUtcNow().AddHours(1);
        api.Clock.Advance(TimeSpan.FromHours(2));
        var token = api.UserToken(user.Id, signedInLater);

        foreach (var query in new[] { "{ me { id } }", "mutation { updateProfile(input: { displayName: \"X\" }) { errors { code } } }", "{ consentPurposes { code } }" })
        {
            var refused = await api.GraphQLAsync(query, token: token);
            Assert.Equal(403, refused.Status);
            Assert.Null(refused.Data);
            Assert.Equal(["ACCOUNT_RESTRICTED"], refused.ErrorCodes);
            Assert.Contains("sign in", (string?)refused.Errors![0]!["message"]);
        }
        Assert.Equal(200, (await api.GraphQLAsync("{ me { id } }", token: api.UserToken(other.Id))).Status);
        // A refused request is not a sign-in (P9's clock does not move).
        Assert.Equal(lastSignIn, await api.ExecuteDbAsync(db => db.Users.Where(u => u.Id == user.Id).Select(u => u.LastAuthenticatedAt).SingleAsync()));

        await StaffAsync(Lift, new { id = user.Id, caps = new[] { "SIGN_IN" }, reason = "Owner verified." }, field: "liftRestriction");

        var me = await api.GraphQLAsync("{ me { id } }", token: token);
        Assert.Equal(user.Id.ToString(), (string?)me.DataOrFail()["me"]!["id"]);
        Assert.Equal(signedInLater.ToUnixTimeSeconds(),
            (await api.ExecuteDbAsync(db => db.Users.Where(u => u.Id == user.Id).Select(u => u.LastAuthenticatedAt).SingleAsync()))?.ToUnixTimeSeconds());
    }

    [Fact]
    public async Task P11_TerminationErasesTheAccount_AndTheAuditSurvives_WithStaffActorTimeAndReason_WithoutNamingThePerson()
    {
        var user = await NewUserAsync("Zoé Vandermeulen");
        var restrictedAt = api.Clock.GetUtcNow();
        await StaffAsync(Restrict, new { id = user.Id, caps = new[] { "CONNECTED_ACCOUNTS" }, reason = $"Zoé Vandermeulen ({user.Email}) cross-posts spam." }, staff: "alice");
        api.Clock.Advance(TimeSpan.FromDays(2));
        var terminatedAt = api.Clock.GetUtcNow();

        var terminated = await StaffAsync(Terminate, new { id = user.Id, reason = $"Still spamming as {user.Email.ToUpperInvariant()}; see Zoé Vandermeulen's file." },
            staff: "bob", field: "terminateAccount");

        Assert.Equal(terminatedAt, DateTimeOffset.Parse((string)terminated["erasedAt"]!, System.Globalization.CultureInfo.InvariantCulture));
        var erasure = terminated["erasure"]!;
        Assert.Equal(("TERMINATION", "staff", "bob", user.AuditRef.ToString()),
            ((string?)erasure["reason"], (string?)erasure["byRole"], (string?)erasure["byActor"], (string?)erasure["subject"]));
        Assert.Contains(erasure["rows"]!.AsArray(), r => (string?)r!["table"] == "users" && (int)r["rows"]! == 1);
        // The account is gone: its token finds nothing, no row holds the person.
        var me = await api.GraphQLAsync("mutation { updateProfile(input: { displayName: \"Back\" }) { errors { code } } }", token: api.UserToken(user.Id));
        Assert.Equal("USER_NOT_FOUND", (string?)me.DataOrFail()["updateProfile"]!["errors"]![0]!["code"]);
        Assert.Equal(0, await api.ExecuteDbAsync(db => db.Users.CountAsync(u => u.Id == user.Id)));

        // Another staff member reads the trail: both actions, their authors, times and reasons, nobody named.
        var trail = (await api.GraphQLAsync(AuditTrail, new { subject = user.AuditRef }, api.Token(Roles.Staff, "carol"))).DataOrFail()["auditTrail"]!;
        var lines = trail["nodes"]!.AsArray();
        Assert.Equal(2, (int)trail["totalCount"]!);
        Assert.Equal([("alice", "RESTRICTED"), ("bob", "TERMINATED")], lines.Select(l => ((string?)l!["actor"], (string?)l["action"])));
        Assert.Equal([restrictedAt, terminatedAt], lines.Select(l => DateTimeOffset.Parse((string)l!["at"]!, System.Globalization.CultureInfo.InvariantCulture)));
        Assert.Equal("[erased] ([erased]) cross-posts spam.", (string?)lines[0]!["reason"]);
        Assert.Equal("Still spamming as [erased]; see [erased]'s file.", (string?)lines[1]!["reason"]);
        Assert.All(lines, l => Assert.Null(l!["user"]));
        var stored = await api.ExecuteDbAsync(db => db.StaffActions.AsNoTracking().Where(a => a.Subject == user.AuditRef).ToListAsync());
        Assert.DoesNotContain(stored, a => a.Reason.Contains("Vandermeulen") || a.Reason.Contains(user.Email, StringComparison.OrdinalIgnoreCase)
                                            || a.Details.Contains(user.Id.ToString()));

        // The erasure is listed for staff.
        var erasures = (await api.GraphQLAsync("{ erasures(first: 100) { nodes { subject reason byActor erasedAt categories } } }", token: api.StaffToken()))
            .DataOrFail()["erasures"]!["nodes"]!.AsArray();
        var listed = Assert.Single(erasures, e => (string?)e!["subject"] == user.AuditRef.ToString())!;
        Assert.Equal(("TERMINATION", "bob"), ((string?)listed["reason"], (string?)listed["byActor"]));
        Assert.NotEmpty(listed["categories"]!.AsArray());
    }

    [Fact]
    public async Task P11_TheAuditTrail_ListsEveryStaffMembersActions_AndTheLivingAccountTheyAreAbout()
    {
        var user = await NewUserAsync();
        await StaffAsync(Restrict, new { id = user.Id, caps = new[] { "RECORD_NAVIGATION" }, reason = "Scraping." }, staff: "dora");
        // Lines are listed in the order of their time-ordered ids (milliseconds): a second later, as two staff members would act.
        api.Clock.Advance(TimeSpan.FromSeconds(1));
        await StaffAsync(Lift, new { id = user.Id, caps = new[] { "RECORD_NAVIGATION" }, reason = "Stopped." }, staff: "emil", field: "liftRestriction");

        var all = (await api.GraphQLAsync(AuditTrail, new { subject = (string?)null }, api.Token(Roles.Staff, "fred"))).DataOrFail()["auditTrail"]!["nodes"]!.AsArray();
        var about = all.Where(l => (string?)l!["subject"] == user.AuditRef.ToString()).ToList();
        Assert.Equal([("dora", "RESTRICTED"), ("emil", "RESTRICTION_LIFTED")], about.Select(l => ((string?)l!["actor"], (string?)l["action"])));
        Assert.All(about, l => Assert.Equal(user.Email, (string?)l!["user"]!["email"]));
        Assert.Contains("RecordNavigation", (string?)about[0]!["details"]);

        var byUser = (await api.GraphQLAsync("query($id: ID!) { user(id: $id) { auditRef restrictions auditTrail { actor reason } } }", new { id = user.Id }, api.StaffToken()))
            .DataOrFail()["user"]!;
        Assert.Equal(user.AuditRef.ToString(), (string?)byUser["auditRef"]);
        Assert.Equal(["Scraping.", "Stopped."], byUser["auditTrail"]!.AsArray().Select(l => (string?)l!["reason"]));
    }

    [Fact]
    public async Task P11_OnlyStaffMayRestrictTerminateOrReadTheAuditTrail()
    {
        var user = await NewUserAsync();
        var callers = new (string? Token, int Status, string Code)[]
        {
            (null, 401, "AUTH_NOT_AUTHENTICATED"),
            (api.UserToken(user.Id), 403, "ACCESS_DENIED"),
            (api.Token(Roles.Partner, "partner-test"), 403, "ACCESS_DENIED"),
        };
        var requests = new (string Query, object? Variables)[]
        {
            (Restrict, new { id = user.Id, caps = new[] { "SIGN_IN" }, reason = "Mine." }),
            (Lift, new { id = user.Id, caps = (string[]?)null, reason = "Mine." }),
            (Terminate, new { id = user.Id, reason = "Mine." }),
            (AuditTrail, new { subject = user.AuditRef }),
            ("{ erasures { totalCount } }", null),
        };

        foreach (var (token, status, code) in callers)
            foreach (var (query, variables) in requests)
            {
                var response = await api.GraphQLAsync(query, variables, token);
                Assert.True(response.Status == status && response.ErrorCodes.Contains(code) && response.Data is null, $"{query} as {token ?? "anonymous"}: {response}");
            }
        var mine = await api.GraphQLAsync("{ me { auditTrail { actor } } }", token: api.UserToken(user.Id));
        Assert.Equal(403, mine.Status);
        Assert.Equal(["ACCESS_DENIED"], mine.ErrorCodes.Distinct());
        Assert.Empty(await api.ExecuteDbAsync(db => db.Users.Where(u => u.Id == user.Id).Select(u => u.Restrictions).SingleAsync()));
    }

    [Fact]
    public async Task P11_AnUnknownOrErasedAccount_IsATypedNotFound()
    {
        var erased = await NewUserAsync();
        await StaffAsync(Terminate, new { id = erased.Id, reason = "Fraud." }, field: "terminateAccount");

        foreach (var id in new[] { Guid.NewGuid().ToString(), erased.Id.ToString(), "not-a-uuid" })
            foreach (var (query, variables, field) in new (string, object, string)[]
            {
                (Restrict, new { id, caps = new[] { "SIGN_IN" }, reason = "x" }, "restrictAccount"),
                (Lift, new { id, caps = (string[]?)null, reason = "x" }, "liftRestriction"),
                (Terminate, new { id, reason = "x" }, "terminateAccount"),
            })
            {
                var error = Assert.Single((await api.GraphQLAsync(query, variables, api.StaffToken())).DataOrFail()[field]!["errors"]!.AsArray())!;
                Assert.Equal(("NotFoundError", "USER_NOT_FOUND"), ((string?)error["__typename"], (string?)error["code"]));
            }
    }

    [Theory]
    [InlineData("NUL", "a\u0000b", "INVALID_CHARACTERS")]
    [InlineData("bell", "a\u0007b", "INVALID_CHARACTERS")]
    [InlineData("200 KB", null, "STRING_TOO_LONG")]
    [InlineData("3000 characters", "", "INVALID_REASON")]
    [InlineData("blank", "   ", "INVALID_REASON")]
    [InlineData("bidi override", "spam\u202Etxt.exe", "INVALID_REASON")]
    public async Task P11_HostileReasons_AreTypedErrors_AndChangeNothing(string what, string? reason, string code)
    {
        var user = await NewUserAsync();
        reason = what switch { "200 KB" => new string('x', 200 * 1024), "3000 characters" => new string('x', 3000), _ => reason };

        foreach (var (query, variables, field) in new (string, object, string)[]
        {
            (Restrict, new { id = user.Id, caps = new[] { "SIGN_IN" }, reason }, "restrictAccount"),
            (Terminate, new { id = user.Id, reason }, "terminateAccount"),
        })
        {
            var response = await api.GraphQLAsync(query, variables, api.StaffToken());

            Assert.True(response.Status < 500, response.ToString());
            var codes = response.Data?[field]?["errors"]?.AsArray().Select(e => (string?)e!["code"]).ToList() ?? response.ErrorCodes.ToList();
            Assert.Equal([code], codes);
        }
        Assert.Equal(0, await api.ExecuteDbAsync(db => db.StaffActions.CountAsync(a => a.Subject == user.AuditRef)));
        Assert.Empty(await api.ExecuteDbAsync(db => db.Users.Where(u => u.Id == user.Id).Select(u => u.Restrictions).SingleAsync()));
    }

    [Fact]
    public async Task P11_AnUnknownOrMissingCapability_IsATypedError()
    {
        var user = await NewUserAsync();

        var unknown = await api.GraphQLAsync(Restrict, new { id = user.Id, caps = new[] { "FLY" }, reason = "x" }, api.StaffToken());
        var none = await api.GraphQLAsync(Restrict, new { id = user.Id, caps = Array.Empty<string>(), reason = "x" }, api.StaffToken());
        var notRestricted = await api.GraphQLAsync(Lift, new { id = user.Id, caps = new[] { "SIGN_IN" }, reason = "x" }, api.StaffToken());

        Assert.Equal(400, unknown.Status);
        Assert.NotEmpty(unknown.ErrorCodes);
        Assert.DoesNotContain(null, unknown.ErrorCodes);
        Assert.Equal("INVALID_CAPABILITIES", (string?)none.DataOrFail()["restrictAccount"]!["errors"]![0]!["code"]);
        Assert.Equal("NOT_RESTRICTED", (string?)notRestricted.DataOrFail()["liftRestriction"]!["errors"]![0]!["code"]);
    }

    [Fact]
    public async Task P11_TerminateAccountRepeatedByAliases_ErasesOnce_TheOtherIsATypedError()
    {
        var user = await NewUserAsync();
        var erasuresBefore = await api.ExecuteDbAsync(db => db.Erasures.CountAsync());

        var response = await api.GraphQLAsync("""
            mutation($id: ID!) {
              a: terminateAccount(input: { userId: $id, reason: "Fraud." }) { erasedAt errors { __typename code } }
              b: terminateAccount(input: { userId: $id, reason: "Fraud, again." }) { erasedAt errors { __typename code } }
            }
            """, new { id = user.Id }, api.StaffToken());

        var data = response.DataOrFail();
        Assert.Empty(data["a"]!["errors"]!.AsArray());
        Assert.NotNull(data["a"]!["erasedAt"]);
        Assert.Equal(("NotFoundError", "USER_NOT_FOUND"), ((string?)data["b"]!["errors"]![0]!["__typename"], (string?)data["b"]!["errors"]![0]!["code"]));
        Assert.Equal(erasuresBefore + 1, await api.ExecuteDbAsync(db => db.Erasures.CountAsync()));
        Assert.Equal(1, await api.ExecuteDbAsync(db => db.StaffActions.CountAsync(a => a.Subject == user.AuditRef)));
    }

    [Fact]
    public async Task P11_ErasuresAreListedForStaff_PageByPage_InTheOrderTheyHappened()
    {
        foreach (var _ in Enumerable.Range(0, 3))
        {
            var user = await NewUserAsync();
            await StaffAsync(Terminate, new { id = user.Id, reason = "Fraud." }, field: "terminateAccount");
            api.Clock.Advance(TimeSpan.FromMinutes(1));
        }
        const string Page = "query($after: String) { erasures(first: 1, after: $after) { totalCount nodes { id erasedAt } pageInfo { hasNextPage endCursor } } }";

        var seen = new List<(string Id, DateTimeOffset At)>();
        string? after = null;
        int total;
        do
        {
            var page = (await api.GraphQLAsync(Page, new { after }, api.StaffToken())).DataOrFail()["erasures"]!;
            total = (int)page["totalCount"]!;
            var node = Assert.Single(page["nodes"]!.AsArray())!;
            seen.Add(((string)node["id"]!, DateTimeOffset.Parse((string)node["erasedAt"]!, System.Globalization.CultureInfo.InvariantCulture)));
            after = (bool)page["pageInfo"]!["hasNextPage"]! ? (string?)page["pageInfo"]!["endCursor"] : null;
        }
        while (after is not null && seen.Count <= total);

        Assert.Equal(total, seen.Count);
        Assert.Equal(seen.Count, seen.Select(s => s.Id).Distinct().Count());
        Assert.Equal(seen.Select(s => s.At).Order(), seen.Select(s => s.At));
        var bad = await api.GraphQLAsync(Page, new { after = Convert.ToBase64String("nonsense"u8.ToArray()) }, api.StaffToken());
        Assert.Equal(["INVALID_CURSOR"], bad.ErrorCodes);
    }
}
