using System.Text.Json.Nodes;
using Imail.Domain.Lifecycle;
using Imail.Domain.Persistence;
using Imail.Testing;
using Imail.Worker.Tests.Email;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Imail.Worker.Tests.Lifecycle;

/// <summary>
/// R4 (P8): erasure leaves no trace. Two people get data in every table (through the public API where it
/// has a way in: consent before sign-up on a device, navigation, sign-up on that device, consent and
/// navigation signed in, a connected account with received fields, a pending change of address, e-mails
/// sent and pending, anonymous use of the device after sign-out; staff actions and a deletion request
/// written as staff would). One is erased; then every text, varchar, jsonb, bytea, uuid and array column
/// of every table in the database, found in the catalog, is searched for their address, name, ids,
/// devices and received values. None may be found; the other person's must all be (the scan can fail).
/// </summary>
public class ErasureScanTests(InProcessWorkerApi api) : IClassFixture<InProcessWorkerApi>
{
    private sealed record Person(Guid Id, Guid AuditRef, string Email, string PendingEmail, string Name, Guid Device, string ExternalId, string ProfileValue)
    {
        public IReadOnlyDictionary<string, string> Needles => new Dictionary<string, string>
        {
            ["email"] = Email,
            ["pending email"] = PendingEmail,
            ["name"] = Name,
            ["account id"] = Id.ToString(),
            ["visitor id"] = Device.ToString(),
            ["external account id"] = ExternalId,
            ["received profile value"] = ProfileValue,
        };
    }

    private const string Decide = """
        mutation($visitor: ID) { decideConsent(input: { visitorId: $visitor, choices: [{ purpose: STATISTICS, granted: true }, { purpose: PERSONALISATION, granted: false }],
          policyVersion: "1.0", bannerVersion: "b1", frontEnd: "www" }) { visitorId errors { code } } }
        """;

    private const string Navigate = """
        mutation($visitor: ID) { recordNavigation(input: { visitorId: $visitor, frontEnd: "www", events: [{ kind: PAGE_VIEW, name: "/inbox" }] }) { recorded errors { code } } }
        """;

    private async Task<Person> SeedAsync(string tag)
    {
        var unique = Guid.NewGuid().ToString("N")[..10];
        var email = $"{tag}-{unique}@example.org";
        var name = $"Zoé {tag} {unique}";

        // A first visit: consent and navigation on a new device, before any account.
        var device = (string)(await api.GraphQLAsync(Decide, new { visitor = (string?)null })).DataOrFail()["decideConsent"]!["visitorId"]!;
        Assert.Equal(1, (int)(await api.GraphQLAsync(Navigate, new { visitor = device })).DataOrFail()["recordNavigation"]!["recorded"]!);

        // Sign-up on that device: its consent and navigation join the account.
        var id = Guid.Parse((string)(await api.GraphQLAsync("""
            mutation($email: String!, $name: String!, $visitor: ID) { signUp(input: { email: $email, displayName: $name, locale: "nl-BE", visitorId: $visitor }) { user { id } errors { code } } }
            """, new { email, name, visitor = device })).DataOrFail()["signUp"]!["user"]!["id"]!);
        var token = api.UserToken(id);

        await api.GraphQLAsync(Navigate, new { visitor = device }, token: token);
        var externalId = $"@{tag}{unique}@example.social";
        var profileValue = $"bio of {tag} {unique}";
        (await api.GraphQLAsync("""
            mutation($ext: String!, $bio: String!) { connectAccount(input: { provider: "mastodon", externalAccountId: $ext, grantedScopes: ["profile"],
              profile: [{ name: "username", value: $ext }, { name: "displayName", value: $bio }] }) { errors { code } } }
            """, new { ext = externalId, bio = profileValue }, token: token)).DataOrFail();
        var pending = $"{tag}-new-{unique}@example.org";
        (await api.GraphQLAsync("""mutation($e: String!) { updateProfile(input: { email: $e }) { errors { code } } }""", new { e = pending }, token: token)).DataOrFail();

        // Signed out on the same device: the banner answered anew and a page viewed, anonymously, after the device was attached.
        (await api.GraphQLAsync(Decide, new { visitor = device })).DataOrFail();
        Assert.Equal(1, (int)(await api.GraphQLAsync(Navigate, new { visitor = device })).DataOrFail()["recordNavigation"]!["recorded"]!);

        var auditRef = await api.ExecuteDbAsync(db => db.Users.Where(u => u.Id == id).Select(u => u.AuditRef).SingleAsync());
        await api.ExecuteDbAsync(async db =>
        {
            var now = api.Clock.GetUtcNow();
            db.StaffActions.Add(StaffAction.Record("alice", StaffActionKind.Restricted, auditRef,
                $"Spam sent by {name} ({email.ToUpperInvariant()}), account {id}", new { capabilities = new[] { "RecordNavigation" } }, now));
            db.DeletionRequests.Add(DeletionRequest.Recorded(id, auditRef, RequestChannel.Post, $"{name}, by letter", now.AddDays(-2), "alice", now));
            await db.SaveChangesAsync();
        });

        // A security incident affected them (P12): a recipient row and a notice of theirs.
        var declared = await api.GraphQLAsync("mutation($input: DeclareIncidentInput!) { declareIncident(input: $input) { notified errors { code } } }", new
        {
            input = new
            {
                severity = "LOW",
                awareAt = api.Clock.GetUtcNow(),
                summary = new { fr = "Fuite.", nl = "Lek.", en = "Leak." },
                categories = new[] { "contact" },
                affected = new { userIds = new[] { id.ToString() } },
            },
        }, api.StaffToken());
        Assert.Equal(1, (int)declared.DataOrFail()["declareIncident"]!["notified"]!);

        // The welcome e-mail goes out (a delivered message still holding its payload).
        await api.Smtp.WaitForAsync(e => e.To.Contains(email));
        return new Person(id, auditRef, email, pending, name, Guid.Parse(device), externalId, profileValue);
    }

    [Fact]
    public async Task R4_P8_AfterErasure_NoTableHoldsThePersonsAddressNameIdsDevicesOrReceivedValues_WhileAnotherPersonsAreStillFound()
    {
        var erased = await SeedAsync("erased");
        var kept = await SeedAsync("kept");

        // Before: the scan finds both (it can see what it looks for).
        var before = await ScanAsync(erased);
        Assert.Equal(erased.Needles.Keys.Order(), before.Select(h => h.Needle).Distinct().Order());

        ErasureOutcome outcome;
        await using (var scope = api.Services.CreateAsyncScope())
        {
            await using var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<ImailDbContext>>().CreateDbContextAsync();
            var open = await db.DeletionRequests.SingleAsync(r => r.UserId == erased.Id);
            outcome = await new Erasure(db, scope.ServiceProvider.GetRequiredService<PersonalDataCatalogue>(), api.Clock)
                .EraseAsync(erased.Id, ErasureReason.Request, Eraser.Staff("alice"), open, CancellationToken.None);
        }

        // The confirmation, in the person's language, is the last trace; delivered, its payload goes.
        var confirmation = await api.Smtp.WaitForAsync(e => e.To.Contains(erased.Email) && (e.Message.Subject ?? "").Contains("verwijderd"));
        Assert.Contains(erased.Name, confirmation.Message.TextBody!);
        await Eventually.Async(async () => string.Join("; ", await ScanAsync(erased)), hits => hits.Length == 0,
            "nothing of the erased person found", TimeSpan.FromSeconds(20));

        var stillThere = await ScanAsync(kept);
        Assert.Equal(kept.Needles.Keys.Order(), stillThere.Select(h => h.Needle).Distinct().Order());

        // What survives says that it happened, when, why, by whom, which categories — and names nobody.
        var record = outcome.Record;
        Assert.Equal(ErasureReason.Request, record.Reason);
        Assert.Equal(("staff", "alice"), (record.ByRole, record.ByActor));
        Assert.Superset(new HashSet<string> { "contact", "identity", "account", "consent_proofs", "navigation", "connected_account_profile" }, record.Categories.ToHashSet());
        var rows = JsonNode.Parse(record.Rows)!.AsObject();
        Assert.True((int)rows["navigation_events"]! >= 3, record.Rows);
        Assert.True((int)rows["anonymous_consent_proofs"]! >= 2, record.Rows);
        Assert.True((int)rows["consent_records"]! >= 2, record.Rows);
        var audit = await api.ExecuteDbAsync(db => db.StaffActions.AsNoTracking().SingleAsync(a => a.Subject == erased.AuditRef));
        Assert.Equal($"Spam sent by [erased] ([erased]), account [erased]", audit.Reason);
        var request = await api.ExecuteDbAsync(db => db.DeletionRequests.AsNoTracking().SingleAsync(r => r.Subject == erased.AuditRef));
        Assert.Equal((DeletionRequestState.Completed, null, null), (request.State, request.UserId, request.Requester));
        // The kept person's rows recorded on their own device are untouched.
        Assert.True(await api.ExecuteDbAsync(db => db.NavigationEvents.CountAsync(n => n.VisitorId == kept.Device)) >= 3);
    }

    private sealed record Hit(string Table, string Column, string Needle)
    {
        public override string ToString() => $"{Needle} in {Table}.{Column}";
    }

    /// <summary>Every searchable column of every table of the database, from the catalog, for each of the person's values.</summary>
    private async Task<List<Hit>> ScanAsync(Person person)
    {
        await using var connection = new NpgsqlConnection(api.ConnectionString);
        await connection.OpenAsync();
        var columns = new List<(string Table, string Column, string Type)>();
        await using (var command = new NpgsqlCommand("""
            SELECT c.table_name, c.column_name, c.data_type FROM information_schema.columns AS c
            JOIN information_schema.tables AS t ON t.table_schema = c.table_schema AND t.table_name = c.table_name AND t.table_type = 'BASE TABLE'
            WHERE c.table_schema = 'public' AND c.data_type IN ('text', 'character varying', 'character', 'jsonb', 'json', 'bytea', 'uuid', 'ARRAY')
            """, connection))
        await using (var reader = await command.ExecuteReaderAsync())
            while (await reader.ReadAsync()) columns.Add((reader.GetString(0), reader.GetString(1), reader.GetString(2)));
        Assert.Contains(columns, c => c.Table == "outbox_messages" && c.Column == "payload");

        var needles = person.Needles;
        var hits = new List<Hit>();
        foreach (var (table, column, type) in columns)
        {
            var text = type == "bytea" ? $"encode(\"{column}\", 'escape')" : $"\"{column}\"::text";
            await using var command = new NpgsqlCommand(
                $"SELECT n.label FROM unnest(@labels, @values) AS n(label, value) WHERE EXISTS (SELECT 1 FROM \"{table}\" WHERE strpos(lower({text}), lower(n.value)) > 0)", connection);
            command.Parameters.AddWithValue("labels", needles.Keys.ToArray());
            command.Parameters.AddWithValue("values", needles.Values.ToArray());
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync()) hits.Add(new Hit(table, column, reader.GetString(0)));
        }
        return hits;
    }
}
