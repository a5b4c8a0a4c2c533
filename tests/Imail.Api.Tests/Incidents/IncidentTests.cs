using System.Text.Json;
using System.Text.Json.Nodes;
using Imail.Domain.Incidents;
using Imail.Domain.Outbox;
using Imail.Domain.Partners;
using Imail.Domain.Users;
using Imail.Testing;
using Microsoft.EntityFrameworkCore;

namespace Imail.Api.Tests.Incidents;

/// <summary>
/// P12: "When the publisher learns of unlawful or unauthorised access to personal data: affected users are notified as
/// soon as possible (…); the publisher examines the causes and informs them (findings are sent as an update); the
/// publisher takes measures to reduce the harm (measures are sent as an update). An incident records what was affected
/// (data categories, which users), its timeline, and the supervisory-authority deadline (GDPR art. 33: 72 hours from
/// awareness). (…) A user sees the incidents that affected them."
/// </summary>
public sealed class IncidentTests(ImailApiFactory api) : IClassFixture<ImailApiFactory>
{
    private const string NoticeKind = EmailTemplates.KindPrefix + EmailTemplates.IncidentNotice;
    private const string UpdateKind = EmailTemplates.KindPrefix + EmailTemplates.IncidentUpdate;

    private const string IncidentFields = """
        id severity awareAt declaredAt declaredBy summary { fr nl en } categories selector notifyPartners recipientCount
        authorityDeadline overdue authorityNotifiedAt authorityNotificationMeans authorityDelayReason authorityNotRequiredReason closedAt
        timeline { kind at actor recipients text { fr nl en } note }
        """;

    private const string Declare = $$"""
        mutation($input: DeclareIncidentInput!) { declareIncident(input: $input) { incident { {{IncidentFields}} } notified errors { __typename code message ... on InputError { field } } } }
        """;

    private const string Findings = $$"""
        mutation($input: PublishIncidentUpdateInput!) { publishIncidentFindings(input: $input) { incident { {{IncidentFields}} } sent errors { code message } } }
        """;

    private const string Measures = $$"""
        mutation($input: PublishIncidentUpdateInput!) { publishIncidentMeasures(input: $input) { incident { {{IncidentFields}} } sent errors { code message } } }
        """;

    private const string Authority = $$"""
        mutation($input: RecordAuthorityNotificationInput!) { recordAuthorityNotification(input: $input) { incident { {{IncidentFields}} } errors { code message } } }
        """;

    private const string Close = $$"""
        mutation($input: CloseIncidentInput!) { closeIncident(input: $input) { incident { {{IncidentFields}} } errors { code message } } }
        """;

    private const string MyIncidents = "{ me { incidents { id severity summary { fr nl en } awareAt notifiedAt categories closedAt updates { kind at text { fr nl en } } } } }";

    private DateTimeOffset Now => api.Clock.GetUtcNow();

    private object Input(object affected, string[]? categories = null, DateTimeOffset? awareAt = null, bool? notifyPartners = null,
        string severity = "HIGH", string summaryFr = "Une copie de sauvegarde était lisible.") => new
        {
            severity,
            awareAt = awareAt ?? Now,
            summary = new { fr = summaryFr, nl = "Een reservekopie was leesbaar.", en = "A backup copy was readable." },
            categories = categories ?? ["contact"],
            affected,
            notifyPartners,
        };

    private async Task<JsonNode> StaffAsync(string query, object input, string field) =>
        (await api.GraphQLAsync(query, new { input }, api.StaffToken())).DataOrFail()[field]!;

    private async Task<JsonNode> DeclaredAsync(object input)
    {
        var declared = await StaffAsync(Declare, input, "declareIncident");
        Assert.Empty(declared["errors"]!.AsArray());
        return declared;
    }

    private static string? Code(JsonNode payload) => (string?)payload["errors"]!.AsArray().Single()!["code"];

    private static object Texts(string fr, string nl, string en) => new { fr, nl, en };

    private async Task<List<User>> UsersAsync(string tag, params string[] locales)
    {
        var users = new List<User>();
        foreach (var (locale, i) in locales.Select((l, i) => (l, i)))
            users.Add(await api.CreateUserAsync($"{tag}-{i}-{Guid.NewGuid():N}@example.org", $"{tag} {i}", locale));
        return users;
    }

    private async Task<List<OutboxMessage>> OutboxAsync(string kind, Guid incident) =>
        (await api.ExecuteDbAsync(db => db.OutboxMessages.AsNoTracking().Where(m => m.Kind == kind).ToListAsync()))
        .Where(m => m.Payload.Contains(incident.ToString())).ToList();

    private Task<List<IncidentRecipient>> RecipientsAsync(Guid incident) =>
        api.ExecuteDbAsync(db => db.IncidentRecipients.AsNoTracking().Where(r => r.IncidentId == incident).ToListAsync());

    private static Guid Id(JsonNode declared) => Guid.Parse((string)declared["incident"]!["id"]!);

    [Fact]
    public async Task P12_Declaring_NotifiesEachAffectedUserAtOnce_InTheirLanguage_RecordsThem_AndAnErasedUserLeavesNoTrace()
    {
        var users = await UsersAsync("notice", "fr", "nl", "en", "fr");
        var erased = users[3];
        var terminated = await StaffAsync("mutation($input: TerminateAccountInput!) { terminateAccount(input: $input) { errors { code } } }",
            new { userId = erased.Id.ToString(), reason = "Spam." }, "terminateAccount");
        Assert.Empty(terminated["errors"]!.AsArray());

        var declared = await DeclaredAsync(Input(new { userIds = users.Select(u => u.Id.ToString()).Append(Guid.NewGuid().ToString()).ToArray() },
            categories: ["contact", "navigation"], awareAt: Now.AddHours(-5)));

        var incident = declared["incident"]!;
        var id = Id(declared);
        Assert.Equal(3, (int)declared["notified"]!);
        Assert.Equal((3, "staff-test", "HIGH"), ((int)incident["recipientCount"]!, (string)incident["declaredBy"]!, (string)incident["severity"]!));
        Assert.Equal(["DECLARED", "NOTIFIED"], incident["timeline"]!.AsArray().Select(s => (string)s!["kind"]!));
        Assert.Equal(3, (int)incident["timeline"]![1]!["recipients"]!);
        Assert.All(incident["timeline"]!.AsArray(), s => Assert.Equal(("staff-test", Now), ((string)s!["actor"]!, (DateTimeOffset)s["at"]!)));
        Assert.Equal("""{"userIdsGiven":5}""", (string)incident["selector"]!);

        var recipients = await RecipientsAsync(id);
        Assert.Equal(users.Take(3).Select(u => u.Id).Order(), recipients.Select(r => r.UserId).Order());
        // Nobody holds navigation data here: each one's affected categories are those they hold.
        Assert.All(recipients, r => Assert.Equal(["contact"], r.Categories));
        var notices = await OutboxAsync(NoticeKind, id);
        Assert.Equal(users.Take(3).Select(u => u.Id).Order(), notices.Select(n => n.UserId!.Value).Order());
        foreach (var user in users.Take(3))
        {
            var payload = JsonSerializer.Deserialize<EmailPayload>(notices.Single(n => n.UserId == user.Id).Payload, OutboxJson.Options)!;
            Assert.Equal((user.Email, user.Locale, $"incident-{id}-{user.Id}", null), (payload.To, payload.Locale, payload.MessageKey, payload.InReplyToKey));
            Assert.Equal(user.Locale switch { Locale.Nl => "Een reservekopie was leesbaar.", Locale.En => "A backup copy was readable.", _ => "Une copie de sauvegarde était lisible." },
                payload.Values["incidentSummary"]);
            Assert.Equal(("High", "contact"), (payload.Values["severity"], payload.Values["categories"]));
        }
        // The erased account is in none of it.
        Assert.False(await api.ExecuteDbAsync(db => db.IncidentRecipients.AnyAsync(r => r.UserId == erased.Id)));
        Assert.DoesNotContain(await OutboxAsync(NoticeKind, id), m => m.UserId == erased.Id || m.Payload.Contains(erased.Email));
        // No partner event unless staff ask for one.
        Assert.Empty(await OutboxAsync(PartnerEvents.KindPrefix + PartnerEvents.IncidentDeclared, id));

        // Erased after the notice: the person's recipient row and notice go with the account (P8).
        var later = users[0];
        Assert.Empty((await StaffAsync("mutation($input: TerminateAccountInput!) { terminateAccount(input: $input) { errors { code } } }",
            new { userId = later.Id.ToString(), reason = "Spam." }, "terminateAccount"))["errors"]!.AsArray());
        Assert.DoesNotContain(await RecipientsAsync(id), r => r.UserId == later.Id);
        Assert.DoesNotContain(await OutboxAsync(NoticeKind, id), m => m.UserId == later.Id);
        Assert.Equal(2, (await RecipientsAsync(id)).Count);
    }

    [Fact]
    public async Task P12_EachSelector_AndTheirIntersection_SelectTheRightUsers()
    {
        api.Clock.Advance(TimeSpan.FromDays(400));
        var start = Now;
        var early = await UsersAsync("early", "fr", "nl");
        api.Clock.Advance(TimeSpan.FromDays(1));
        var late = await UsersAsync("late", "en", "fr");
        var end = Now;
        // early[0] and late[0] signed in recently; late[1] got an e-mail (delivery_logs).
        await api.ExecuteDbAsync(db => db.Database.ExecuteSqlAsync($"UPDATE users SET last_authenticated_at = {Now} WHERE id IN ({early[0].Id}, {late[0].Id})"));
        await api.ExecuteDbAsync(async db =>
        {
            db.EnqueueEmail(EmailTemplates.SignUpConfirmation, late[1], Now);
            await db.SaveChangesAsync();
        });
        var window = new { from = start, to = end };
        api.Clock.Advance(TimeSpan.FromMinutes(1));

        async Task<Guid[]> SelectedAsync(object affected, string[]? categories = null) =>
            (await RecipientsAsync(Id(await DeclaredAsync(Input(affected, categories))))).Select(r => r.UserId).Order().ToArray();
        Guid[] Ids(params User[] users) => users.Select(u => u.Id).Order().ToArray();

        // First, while only late[1] was ever e-mailed (each notice below is an e-mail too: delivery_logs).
        Assert.Equal(Ids(late[1]), await SelectedAsync(new { createdBetween = window, categories = new[] { " delivery_logs " } }));
        var held = await RecipientsAsync(Id(await DeclaredAsync(Input(new { userIds = new[] { late[1].Id.ToString(), early[0].Id.ToString() } },
            categories: ["contact", "delivery_logs", "navigation"]))));
        Assert.Equal(["contact", "delivery_logs"], held.Single(r => r.UserId == late[1].Id).Categories);
        Assert.Equal(["contact"], held.Single(r => r.UserId == early[0].Id).Categories);

        Assert.Equal(Ids([.. early, .. late]), await SelectedAsync(new { createdBetween = window }));
        Assert.Equal(Ids([.. early]), await SelectedAsync(new { createdBetween = new { from = start, to = start } }));
        Assert.Equal(Ids(early[0], late[0]), await SelectedAsync(new { createdBetween = window, activeBetween = new { from = Now.AddMinutes(-2), to = Now } }));
        Assert.Equal(Ids(late[0]), await SelectedAsync(new { everyone = true, userIds = new[] { late[0].Id.ToString(), early[1].Id.ToString() }, activeBetween = new { from = start, to = Now }, createdBetween = new { from = end, to = end } }));
        var everyone = await SelectedAsync(new { everyone = true });
        Assert.Equal(await api.ExecuteDbAsync(db => db.Users.CountAsync()), everyone.Length);
    }

    [Fact]
    public async Task P12_BadDeclarations_AreTypedErrors_NeverA500_AndNothingIsSent()
    {
        var before = await api.ExecuteDbAsync(db => db.Incidents.CountAsync());
        async Task<string?> RefusedAsync(object input, string? field = null)
        {
            var payload = await StaffAsync(Declare, input, "declareIncident");
            Assert.Null(payload["incident"]);
            Assert.Equal(0, (int)payload["notified"]!);
            if (field is not null) Assert.Equal(field, (string?)payload["errors"]![0]!["field"]);
            return Code(payload);
        }

        Assert.Equal("SELECTOR_REQUIRED", await RefusedAsync(Input(new { }), "affected"));
        Assert.Equal("SELECTOR_REQUIRED", await RefusedAsync(Input(new { everyone = false })));
        Assert.Equal("UNKNOWN_DATA_CATEGORY", await RefusedAsync(Input(new { everyone = true }, categories: ["no_such_category"]), "categories"));
        Assert.Equal("UNKNOWN_DATA_CATEGORY", await RefusedAsync(Input(new { categories = new[] { "Robert'); DROP TABLE users;--" } }), "affected.categories"));
        Assert.Equal("INVALID_CATEGORIES", await RefusedAsync(Input(new { everyone = true }, categories: [])));
        Assert.Equal("INVALID_PERIOD", await RefusedAsync(Input(new { createdBetween = new { from = Now, to = Now.AddSeconds(-1) } }), "affected.createdBetween"));
        Assert.Equal("INVALID_PERIOD", await RefusedAsync(Input(new { activeBetween = new { from = Now, to = Now.AddDays(-1) } })));
        Assert.Equal("INVALID_USER_IDS", await RefusedAsync(Input(new { userIds = new[] { "not-a-uuid" } })));
        Assert.Equal("INVALID_USER_IDS", await RefusedAsync(Input(new { userIds = Enumerable.Range(0, 5_001).Select(_ => Guid.NewGuid().ToString()).ToArray() })));
        Assert.Equal("INVALID_AWARE_AT", await RefusedAsync(Input(new { everyone = true }, awareAt: Now.AddMinutes(1)), "awareAt"));
        Assert.Equal("INVALID_SUMMARY", await RefusedAsync(Input(new { everyone = true }, summaryFr: new string('a', 5_000)), "summary.fr"));
        Assert.Equal("INVALID_SUMMARY", await RefusedAsync(Input(new { everyone = true }, summaryFr: "   "), "summary.fr"));
        Assert.Equal("INVALID_SUMMARY", await RefusedAsync(Input(new { everyone = true }, summaryFr: "a\u202Eb")));

        var nul = await api.GraphQLAsync(Declare, new { input = Input(new { everyone = true }, summaryFr: "a\u0000b") }, api.StaffToken());
        Assert.Equal(400, nul.Status);
        Assert.Equal(["INVALID_CHARACTERS"], nul.ErrorCodes);
        var control = await api.GraphQLAsync(Declare, new { input = Input(new { everyone = true }, summaryFr: "a\u0007b") }, api.StaffToken());
        Assert.Equal(400, control.Status);
        Assert.Equal(["INVALID_CHARACTERS"], control.ErrorCodes);
        var huge = await api.GraphQLAsync(Declare, new { input = Input(new { everyone = true }, summaryFr: new string('a', 200_000)) }, api.StaffToken());
        Assert.Equal(400, huge.Status);
        Assert.Equal(["STRING_TOO_LONG"], huge.ErrorCodes);

        Assert.Equal(before, await api.ExecuteDbAsync(db => db.Incidents.CountAsync()));
    }

    [Fact]
    public async Task P12_OnlyStaff_DeclareAndManageIncidents()
    {
        var user = await api.CreateUserAsync($"nosy-{Guid.NewGuid():N}@example.org");
        var input = new { input = Input(new { everyone = true }) };
        Assert.Contains("AUTH_NOT_AUTHENTICATED", (await api.GraphQLAsync(Declare, input)).ErrorCodes);
        Assert.Contains("ACCESS_DENIED", (await api.GraphQLAsync(Declare, input, api.UserToken(user.Id))).ErrorCodes);
        Assert.Contains("ACCESS_DENIED", (await api.GraphQLAsync(Declare, input, api.Token(Imail.Api.Auth.Roles.Partner, "partner-test"))).ErrorCodes);
        var close = new { input = new { incidentId = Guid.NewGuid().ToString(), authorityNotRequiredReason = "x" } };
        Assert.Contains("ACCESS_DENIED", (await api.GraphQLAsync(Close, close, api.UserToken(user.Id))).ErrorCodes);
        Assert.Contains("ACCESS_DENIED", (await api.GraphQLAsync("{ incidents(first: 5) { nodes { id } } }", token: api.UserToken(user.Id))).ErrorCodes);
        Assert.Equal("UNKNOWN_INCIDENT", Code(await StaffAsync(Close, close.input, "closeIncident")));
        Assert.Equal("UNKNOWN_INCIDENT", Code(await StaffAsync(Findings, new { incidentId = "nope", text = Texts("a", "b", "c") }, "publishIncidentFindings")));
    }

    [Fact]
    public async Task P12_FindingsAndMeasures_GoToTheSameRecipients_ThreadedToTheNotice_AndEachUserSeesOnlyTheirOwnIncidents()
    {
        var (alice, bob, carol) = (await api.CreateUserAsync($"alice-{Guid.NewGuid():N}@example.org", "Alice", "nl"),
            await api.CreateUserAsync($"bob-{Guid.NewGuid():N}@example.org", "Bob", "en"), await api.CreateUserAsync($"carol-{Guid.NewGuid():N}@example.org", "Carol"));
        var declared = await DeclaredAsync(Input(new { userIds = new[] { alice.Id.ToString(), bob.Id.ToString() } }, awareAt: Now.AddHours(-1)));
        var id = Id(declared);
        var other = Id(await DeclaredAsync(Input(new { userIds = new[] { carol.Id.ToString() } })));

        api.Clock.Advance(TimeSpan.FromHours(2));
        var findings = await StaffAsync(Findings, new { incidentId = id.ToString(), text = Texts("Causes.", "Oorzaken.", "Causes found.") }, "publishIncidentFindings");
        Assert.Empty(findings["errors"]!.AsArray());
        Assert.Equal(2, (int)findings["sent"]!);
        api.Clock.Advance(TimeSpan.FromHours(2));
        var measures = await StaffAsync(Measures, new { incidentId = id.ToString(), text = Texts("Mesures.", "Maatregelen.", "Measures taken.") }, "publishIncidentMeasures");
        Assert.Equal(2, (int)measures["sent"]!);
        var timeline = measures["incident"]!["timeline"]!.AsArray();
        Assert.Equal(["DECLARED", "NOTIFIED", "FINDINGS", "MEASURES"], timeline.Select(s => (string)s!["kind"]!));
        Assert.Equal(("Oorzaken.", 2), ((string)timeline[2]!["text"]!["nl"]!, (int)timeline[2]!["recipients"]!));

        var updates = await OutboxAsync(UpdateKind, id);
        Assert.Equal(4, updates.Count);
        foreach (var update in updates)
        {
            var payload = JsonSerializer.Deserialize<EmailPayload>(update.Payload, OutboxJson.Options)!;
            Assert.Equal((null, $"incident-{id}-{update.UserId}"), (payload.MessageKey, payload.InReplyToKey));
        }
        Assert.Contains(updates, u => u.UserId == alice.Id && u.Payload.Contains("Maatregelen."));
        Assert.Contains(updates, u => u.UserId == bob.Id && u.Payload.Contains("Causes found."));

        var mine = (await api.GraphQLAsync(MyIncidents, token: api.UserToken(alice.Id))).DataOrFail()["me"]!["incidents"]!.AsArray();
        var seen = Assert.Single(mine)!;
        Assert.Equal((id.ToString(), "Een reservekopie was leesbaar."), ((string)seen["id"]!, (string)seen["summary"]!["nl"]!));
        Assert.Equal(["FINDINGS", "MEASURES"], seen["updates"]!.AsArray().Select(u => (string)u!["kind"]!));
        var carols = (await api.GraphQLAsync(MyIncidents, token: api.UserToken(carol.Id))).DataOrFail()["me"]!["incidents"]!.AsArray();
        Assert.Equal([other.ToString()], carols.Select(i => (string)i!["id"]!));
        Assert.Empty(carols[0]!["updates"]!.AsArray());
    }

    [Fact]
    public async Task P12_TheAuthorityDeadline_Is72HoursAfterAwareness_ToTheSecond_AndClosingNeedsTheNotificationOrAReason()
    {
        var awareAt = Now.AddHours(-72);
        var inTime = Id(await DeclaredAsync(Input(new { userIds = new[] { Guid.NewGuid().ToString() } }, awareAt: awareAt)));
        var late = Id(await DeclaredAsync(Input(new { userIds = new[] { Guid.NewGuid().ToString() } }, awareAt: awareAt)));
        var one = $$"""query($id: ID!) { incident(id: $id) { {{IncidentFields}} } }""";
        async Task<JsonNode> ReadAsync(Guid id) => (await api.GraphQLAsync(one, new { id = id.ToString() }, api.StaffToken())).DataOrFail()["incident"]!;

        Assert.Equal(awareAt.AddHours(72), (DateTimeOffset)(await ReadAsync(inTime))["authorityDeadline"]!);
        Assert.False((bool)(await ReadAsync(inTime))["overdue"]!); // now is the deadline: not past it
        Assert.DoesNotContain(await OverdueAsync(), i => i == inTime.ToString());
        api.Clock.Advance(TimeSpan.FromSeconds(1));
        Assert.True((bool)(await ReadAsync(inTime))["overdue"]!);
        Assert.Contains(await OverdueAsync(), i => i == inTime.ToString());

        // Exactly 72 hours after awareness is in time: no reason needed.
        var recorded = await StaffAsync(Authority, new { incidentId = inTime.ToString(), notifiedAt = awareAt.AddHours(72), means = "Online form, ref. 2026-123" }, "recordAuthorityNotification");
        Assert.Empty(recorded["errors"]!.AsArray());
        Assert.False((bool)recorded["incident"]!["overdue"]!);
        Assert.Equal("AUTHORITY_NOTIFIED", (string)recorded["incident"]!["timeline"]!.AsArray().Last()!["kind"]!);
        Assert.Equal("AUTHORITY_ALREADY_NOTIFIED", Code(await StaffAsync(Authority, new { incidentId = inTime.ToString(), notifiedAt = Now, means = "Again" }, "recordAuthorityNotification")));
        Assert.DoesNotContain(await OverdueAsync(), i => i == inTime.ToString());

        // One second later needs the reasons for the delay.
        var lateInput = new { incidentId = late.ToString(), notifiedAt = awareAt.AddHours(72).AddSeconds(1), means = "Online form" };
        Assert.Equal("DELAY_REASON_REQUIRED", Code(await StaffAsync(Authority, lateInput, "recordAuthorityNotification")));
        Assert.Equal("INVALID_NOTIFIED_AT", Code(await StaffAsync(Authority, lateInput with { notifiedAt = Now.AddSeconds(1) }, "recordAuthorityNotification")));
        Assert.Equal("INVALID_NOTIFIED_AT", Code(await StaffAsync(Authority, lateInput with { notifiedAt = awareAt.AddSeconds(-1) }, "recordAuthorityNotification")));
        var withReason = await StaffAsync(Authority, new { lateInput.incidentId, lateInput.notifiedAt, lateInput.means, delayReason = "The scope took four days to establish." }, "recordAuthorityNotification");
        Assert.Equal("The scope took four days to establish.", (string)withReason["incident"]!["authorityDelayReason"]!);

        // Closing: refused without the notification unless staff say why none is required.
        var quiet = Id(await DeclaredAsync(Input(new { userIds = new[] { Guid.NewGuid().ToString() } })));
        Assert.Equal("AUTHORITY_NOTIFICATION_MISSING", Code(await StaffAsync(Close, new { incidentId = quiet.ToString() }, "closeIncident")));
        var closed = await StaffAsync(Close, new { incidentId = quiet.ToString(), authorityNotRequiredReason = "Encrypted data, key not exposed." }, "closeIncident");
        Assert.Equal(Now, (DateTimeOffset)closed["incident"]!["closedAt"]!);
        Assert.Equal("INCIDENT_CLOSED", Code(await StaffAsync(Close, new { incidentId = quiet.ToString(), authorityNotRequiredReason = "x" }, "closeIncident")));
        Assert.Equal("INCIDENT_CLOSED", Code(await StaffAsync(Findings, new { incidentId = quiet.ToString(), text = Texts("a", "b", "c") }, "publishIncidentFindings")));
        Assert.Empty((await StaffAsync(Close, new { incidentId = inTime.ToString() }, "closeIncident"))["errors"]!.AsArray());
    }

    private async Task<List<string>> OverdueAsync() =>
        (await api.GraphQLAsync("{ incidents(first: 100, overdue: true) { nodes { id overdue } } }", token: api.StaffToken())).DataOrFail()["incidents"]!["nodes"]!
        .AsArray().Select(n => (string)n!["id"]!).ToList();

    [Fact]
    public async Task P12_PartnersHearOfAnIncident_OnlyWhenStaffSaySo_WithoutPersonalData()
    {
        var person = await api.CreateUserAsync($"partnered-{Guid.NewGuid():N}@example.org", "Partnered Person");
        var id = Id(await DeclaredAsync(Input(new { userIds = new[] { person.Id.ToString() } }, categories: ["contact", "identity"], notifyPartners: true, severity: "CRITICAL")));

        var events = await OutboxAsync(PartnerEvents.KindPrefix + PartnerEvents.IncidentDeclared, id);
        var message = Assert.Single(events);
        Assert.Null(message.UserId);
        var data = JsonNode.Parse(message.Payload)!["data"]!.AsObject();
        Assert.Equal(["awareAt", "categories", "declaredAt", "id", "recipients", "severity"], data.Select(p => p.Key).Order());
        Assert.Equal(("critical", 1), ((string)data["severity"]!, (int)data["recipients"]!));
        Assert.DoesNotContain(person.Email, message.Payload);
        Assert.DoesNotContain(person.Id.ToString(), message.Payload);
        Assert.DoesNotContain("Partnered", message.Payload);
    }
}
