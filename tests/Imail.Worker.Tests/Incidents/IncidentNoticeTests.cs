using System.Collections.Concurrent;
using System.Diagnostics;
using Imail.Domain.Incidents;
using Imail.Domain.Outbox;
using Imail.Domain.Partners;
using Imail.Domain.Persistence;
using Imail.Domain.Policies;
using Imail.Domain.Users;
using Imail.Testing;
using Imail.Worker.Email;
using Imail.Worker.Relay;
using Imail.Worker.Tests.Email;
using Imail.Worker.Tests.Policies;
using Imail.Worker.Tests.Purge;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using MimeKit;
using Snapshooter.Xunit;

namespace Imail.Worker.Tests.Incidents;

/// <summary>
/// P12 through the domain's <see cref="IncidentDesk"/> on a database of the test's own: the notices and updates as the
/// worker composes them (threading headers), the partner event's contract, and a fan-out to 100,000 users.
/// </summary>
public sealed class IncidentNoticeTests : IAsyncLifetime
{
    private readonly PurgeDatabase _db = new();
    private DateTimeOffset Now => _db.Clock.GetUtcNow();

    public Task InitializeAsync() => _db.InitializeAsync();
    public Task DisposeAsync() => _db.DisposeAsync();

    private static IncidentDeclaration Declaration(IncidentSelector affected, DateTimeOffset awareAt, bool notifyPartners = false, string[]? categories = null) => new(
        IncidentSeverity.High, awareAt,
        new LocalizedTextChange("Une copie de sauvegarde était lisible.", "Een reservekopie was leesbaar.", "A backup copy was readable."),
        categories ?? ["contact", "navigation"], affected, notifyPartners);

    private async Task<Declaration> DeclareAsync(IncidentDeclaration declaration, int batchSize = 10_000, ConcurrentQueue<string>? statements = null)
    {
        await using var context = _db.Db(statements);
        var catalogue = new PersonalDataCatalogue(context.Model);
        return await new IncidentDesk(context, catalogue, _db.Clock).DeclareAsync(declaration, "staff-test", new IncidentOptions { NoticeBatchSize = batchSize }, CancellationToken.None);
    }

    private async Task<IncidentUpdate> FindingsAsync(Guid incident)
    {
        await using var context = _db.Db();
        return await new IncidentDesk(context, new PersonalDataCatalogue(context.Model), _db.Clock).PublishUpdateAsync(incident, IncidentStepKind.Findings,
            new LocalizedTextChange("Causes.", "Oorzaken.", "Causes found."), "staff-test", new IncidentOptions(), CancellationToken.None);
    }

    private static EmailComposer Composer() => new(TestEmails.Renderer(), new Monitor(new SmtpOptions { From = "Imail <no-reply@imail.example>" }));

    private Task<List<OutboxMessage>> OutboxAsync(string kind) =>
        _db.ExecuteDbAsync(db => db.OutboxMessages.AsNoTracking().Where(m => m.Kind == kind).ToListAsync());

    private static MimeMessage Composed(OutboxMessage message) =>
        Composer().Compose(new OutboxEnvelope(message.Id, message.Kind, message.Payload, 1, message.CreatedAt)).Message;

    [Fact]
    public async Task P12_TheNotice_HasAFixedMessageId_AndEachUpdateAnswersIt_InReplyToAndReferences()
    {
        var (zoe, jan) = (await _db.SignUpAsync("zoe@example.org", "fr"), await _db.SignUpAsync("jan@example.org", "nl"));
        var declared = await DeclareAsync(Declaration(new IncidentSelector(true, null, null, null, null), Now.AddHours(-3)));
        var id = declared.Incident.Id;
        Assert.Equal((2, 1), (declared.Notified, declared.Statements));
        _db.Clock.Advance(TimeSpan.FromHours(1));
        Assert.Equal(2, (await FindingsAsync(id)).Sent);

        foreach (var user in new[] { zoe, jan })
        {
            var notice = Composed((await OutboxAsync(EmailTemplates.KindPrefix + EmailTemplates.IncidentNotice)).Single(m => m.UserId == user.Id));
            var update = Composed((await OutboxAsync(EmailTemplates.KindPrefix + EmailTemplates.IncidentUpdate)).Single(m => m.UserId == user.Id));
            var thread = $"incident-{id}-{user.Id}@imail.example";
            Assert.Equal(thread, notice.MessageId);
            Assert.Null(notice.InReplyTo);
            Assert.Empty(notice.References);
            Assert.Equal(thread, update.InReplyTo);
            Assert.Equal([thread], update.References);
            Assert.NotEqual(thread, update.MessageId);
            Assert.Equal(user.Email, ((MailboxAddress)notice.To.Single()).Address);
            Assert.Contains(user.Locale == Locale.Nl ? "Een reservekopie was leesbaar." : "Une copie de sauvegarde était lisible.", notice.TextBody);
            Assert.Contains(user.Locale == Locale.Nl ? "Oorzaken." : "Causes.", update.TextBody);
            // The policy's limitation of liability, in the person's language.
            Assert.Contains(user.Locale == Locale.Nl ? "erkenning van fout of aansprakelijkheid" : "reconnaissance de faute ou de responsabilité", notice.TextBody);
        }

        // Other e-mails keep the outbox id as Message-ID, and follow nothing.
        await _db.ExecuteDbAsync(async db =>
        {
            db.EnqueueEmail(EmailTemplates.SignUpConfirmation, zoe, Now);
            await db.SaveChangesAsync();
        });
        var other = Assert.Single(await OutboxAsync(EmailTemplates.KindPrefix + EmailTemplates.SignUpConfirmation));
        var composed = Composed(other);
        Assert.Equal($"{other.Id}@imail.example", composed.MessageId);
        Assert.Null(composed.InReplyTo);
        Assert.DoesNotContain("messageKey", other.Payload);
    }

    [Fact]
    public async Task P12_TheIncidentDeclaredEvent_ReadsAsItsSnapshot()
    {
        _db.Clock.SetUtcNow(new DateTimeOffset(2027, 3, 1, 9, 30, 0, TimeSpan.Zero));
        await _db.SignUpAsync("affected@example.org", "en");

        await DeclareAsync(Declaration(new IncidentSelector(true, null, null, null, null), new DateTimeOffset(2027, 2, 28, 22, 0, 0, TimeSpan.Zero), notifyPartners: true));

        var message = Assert.Single(await OutboxAsync(PartnerEvents.KindPrefix + PartnerEvents.IncidentDeclared));
        var envelope = System.Text.Json.Nodes.JsonNode.Parse(PolicyPublicationTests.Envelope(message))!.AsObject();
        envelope["data"]!["id"] = "00000000-0000-7000-8000-000000000001"; // random after the time, checked by the API tests
        Snapshot.Match(envelope.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true, Encoder = PartnerEvents.Json.Encoder }));
    }

    [Fact]
    public async Task P12_AFanOutTo100000Users_IsElevenStatements_WithNoUserLoaded()
    {
        await _db.ExecuteAsync("""
            INSERT INTO users (id, email, display_name, locale, status, created_at, updated_at)
            SELECT ('01900007-0000-7000-8000-' || lpad(to_hex(g), 12, '0'))::uuid, 'fan.' || g || '@example.org', 'Fan ' || g,
                   (ARRAY['Fr', 'Nl', 'En'])[1 + g % 3], 'Active', now() - make_interval(days => g % 1000), now()
            FROM generate_series(1, 100000) AS g;
            ANALYZE users;
            """);
        var statements = new ConcurrentQueue<string>();
        var clock = Stopwatch.StartNew();

        var declared = await DeclareAsync(Declaration(new IncidentSelector(true, null, null, null, null), Now.AddHours(-1)), statements: statements);

        clock.Stop();
        // 100,000 in batches of 10,000: ten full statements and one that finds nobody left.
        Assert.Equal((100_000, 11), (declared.Notified, declared.Statements));
        Assert.Equal(11, statements.Count(s => s.Contains("INSERT INTO outbox_messages") && s.Contains("FROM users")));
        Assert.DoesNotContain(statements, s => s.Contains("FROM users") && !s.Contains("INSERT INTO outbox_messages"));
        // Keyset batches: each reads after the previous one's last id, the recipients and the notices written by the same statement.
        Assert.All(statements.Where(s => s.Contains("FROM users")), s =>
        {
            Assert.Contains("WHERE u.id > @after AND true", s);
            Assert.Contains("ORDER BY u.id LIMIT @batch", s);
            Assert.Contains("INSERT INTO incident_recipients", s);
        });
        Assert.Equal(100_000, await _db.ScalarAsync<long>("SELECT count(*) FROM outbox_messages WHERE kind = 'email.incident-notice'"));
        Assert.Equal(100_000, await _db.ScalarAsync<long>($"SELECT count(DISTINCT user_id) FROM incident_recipients WHERE incident_id = '{declared.Incident.Id}'"));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), $"The fan-out took {clock.Elapsed}.");
    }

    private sealed class Monitor(SmtpOptions value) : IOptionsMonitor<SmtpOptions>
    {
        public SmtpOptions CurrentValue => value;
        public SmtpOptions Get(string? name) => value;
        public IDisposable? OnChange(Action<SmtpOptions, string?> listener) => null;
    }
}
