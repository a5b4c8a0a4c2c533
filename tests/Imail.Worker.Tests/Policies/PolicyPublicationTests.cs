using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using Imail.Domain.Consents;
using Imail.Domain.Outbox;
using Imail.Domain.Partners;
using Imail.Domain.Policies;
using Imail.Domain.Users;
using Imail.Testing;
using Imail.Worker.Tests.Email;
using Imail.Worker.Tests.Purge;
using Microsoft.EntityFrameworkCore;
using Snapshooter.Xunit;

namespace Imail.Worker.Tests.Policies;

/// <summary>
/// P13: "A substantial change is announced to every user before it takes effect, and to partners as an event
/// (…). Non-substantial changes are published without an announcement."
/// </summary>
public sealed class PolicyPublicationTests : IAsyncLifetime
{
    private const string AnnouncementKind = EmailTemplates.KindPrefix + EmailTemplates.PolicyVersionAnnouncement;
    private readonly PurgeDatabase _db = new();
    private DateTimeOffset Now => _db.Clock.GetUtcNow();

    public Task InitializeAsync() => _db.InitializeAsync();
    public Task DisposeAsync() => _db.DisposeAsync();

    [Fact]
    public async Task P13_ASubstantialVersion_IsAnnouncedToEveryUser_InTheirLanguage_InBatchesOfBoundedStatements()
    {
        var locales = new[] { "fr", "nl", "en", "nl-BE", "en-GB", "fr", "en" };
        var users = new List<User>();
        for (var i = 0; i < locales.Length; i++) users.Add(await _db.SignUpAsync($"person{i}@example.org", locales[i]));
        await _db.DraftAsync("2.0", PolicyFixture.Change(Now.AddDays(30)));
        var statements = new ConcurrentQueue<string>();

        var publication = await _db.PublishAsync("2.0", batchSize: 3, statements);

        // 7 users in batches of 3: 3 + 3 + 1, one INSERT … SELECT each, whatever the number of users.
        Assert.Equal((7, 3), (publication.Announced, publication.AnnouncementStatements));
        Assert.Equal(3, statements.Count(s => s.Contains("INSERT INTO outbox_messages") && s.Contains("FROM users")));
        Assert.DoesNotContain(statements, s => s.Contains("FROM users") && !s.Contains("INSERT INTO outbox_messages"));
        var messages = await _db.ExecuteDbAsync(db => db.OutboxMessages.AsNoTracking().Where(m => m.Kind == AnnouncementKind).ToListAsync());
        Assert.Equal(users.Select(u => u.Id).Order(), messages.Select(m => m.UserId!.Value).Order());
        Assert.All(messages, m => Assert.Equal((OutboxState.Pending, Now), (m.State, m.AvailableAt)));
        Assert.All(messages, m => Assert.Equal(7, m.Id.Version));
        foreach (var user in users)
        {
            var message = messages.Single(m => m.UserId == user.Id);
            // The shape the worker's e-mail sender reads, and an e-mail the renderer writes in the person's language.
            var payload = JsonSerializer.Deserialize<EmailPayload>(message.Payload, OutboxJson.Options)!;
            Assert.Equal((user.Email, user.DisplayName, user.Locale), (payload.To, payload.Name, payload.Locale));
            Assert.Equal(["effectiveAt", "lowersPrivacy", "number", "summary"], payload.Values.Keys.Order());
            Assert.Equal(("2.0", "false"), (payload.Values["number"], payload.Values["lowersPrivacy"]));
            Assert.Equal(user.Locale switch { Locale.Nl => "Samenvatting van de wijzigingen.", Locale.En => "Summary of the changes.", _ => "Résumé des changements." },
                payload.Values["summary"]);
            var email = TestEmails.Renderer().Render(EmailTemplates.PolicyVersionAnnouncement, payload);
            Assert.Contains(payload.Values["summary"], email.Text);
            Assert.Contains(user.Locale switch { Locale.Nl => "27 december 2026", Locale.En => "27 December 2026", _ => "27 décembre 2026" }, email.Subject);
        }
        var published = Assert.Single(await EventsAsync(PartnerEvents.PolicyVersionPublished));
        Assert.Null(published.UserId);
    }

    [Fact]
    public async Task P13_AnExactMultipleOfTheBatch_CostsOneMoreShortStatement_AndNoUserIsAnnouncedTwice()
    {
        for (var i = 0; i < 4; i++) await _db.SignUpAsync($"even{i}@example.org", "fr");
        await _db.DraftAsync("2.1", PolicyFixture.Change(Now.AddDays(30)));

        var publication = await _db.PublishAsync("2.1", batchSize: 2);

        Assert.Equal((4, 3), (publication.Announced, publication.AnnouncementStatements));
        Assert.Equal(4, await _db.ExecuteDbAsync(db => db.OutboxMessages.Where(m => m.Kind == AnnouncementKind).Select(m => m.UserId).Distinct().CountAsync()));
    }

    [Fact]
    public async Task P13_ANonSubstantialVersion_IsPublishedWithoutAnnouncement_ButPartnersHearOfIt()
    {
        await _db.SignUpAsync("quiet@example.org", "fr");
        await _db.DraftAsync("1.1", PolicyFixture.Change(Now.AddDays(-1), substantial: false));

        var publication = await _db.PublishAsync("1.1");

        Assert.Equal((0, 0), (publication.Announced, publication.AnnouncementStatements));
        Assert.Equal(0, await _db.ExecuteDbAsync(db => db.OutboxMessages.CountAsync(m => m.Kind.StartsWith(EmailTemplates.KindPrefix))));
        Assert.Single(await EventsAsync(PartnerEvents.PolicyVersionPublished));
    }

    [Fact]
    public async Task P13_APublicationThatFails_AnnouncesNothing_AndTellsPartnersNothing()
    {
        await _db.SignUpAsync("nobody-told@example.org", "fr");
        await _db.DraftAsync("2.2", PolicyFixture.Change(Now.AddSeconds(10)));
        _db.Clock.Advance(TimeSpan.FromSeconds(10)); // too late: a substantial version is announced before it takes effect

        var refused = await Assert.ThrowsAsync<Imail.Domain.Common.RuleViolation>(() => _db.PublishAsync("2.2"));

        Assert.Equal("EFFECTIVE_DATE_IN_PAST", refused.Code);
        Assert.Equal(0, await _db.ExecuteDbAsync(db => db.OutboxMessages.CountAsync()));
    }

    [Fact]
    public async Task P13_ThePolicyVersionPublishedEvent_ReadsAsItsSnapshot()
    {
        _db.Clock.SetUtcNow(new DateTimeOffset(2027, 3, 1, 9, 30, 0, TimeSpan.Zero));
        await _db.DraftAsync("3.0", PolicyFixture.Change(new DateTimeOffset(2027, 4, 1, 0, 0, 0, TimeSpan.Zero), lowersPrivacy: true,
            purposes: [ConsentPurpose.Personalisation], scopes: [new ProviderScopeRef("mastodon", "follows")]));

        await _db.PublishAsync("3.0");

        var message = Assert.Single(await EventsAsync(PartnerEvents.PolicyVersionPublished));
        Snapshot.Match(Envelope(message));
    }

    /// <summary>The envelope as partners receive it, its id (random after the time) checked then fixed, so the snapshot is stable.</summary>
    internal static string Envelope(OutboxMessage message)
    {
        var envelope = JsonNode.Parse(message.Payload)!.AsObject();
        Assert.Equal(message.Id, Guid.Parse((string)envelope["id"]!));
        envelope["id"] = "00000000-0000-7000-8000-000000000000";
        return envelope.ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = PartnerEvents.Json.Encoder });
    }

    private Task<List<OutboxMessage>> EventsAsync(string type) =>
        _db.ExecuteDbAsync(db => db.OutboxMessages.AsNoTracking().Where(m => m.Kind == PartnerEvents.KindPrefix + type).ToListAsync());
}
