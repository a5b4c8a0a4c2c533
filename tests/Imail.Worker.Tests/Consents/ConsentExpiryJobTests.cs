using System.Text.Json;
using Imail.Domain.Common;
using Imail.Domain.Consents;
using Imail.Domain.Outbox;
using Imail.Domain.Persistence;
using Imail.Domain.Users;
using Imail.Worker.Consents;
using Imail.Worker.Email;
using Imail.Worker.Schedules;
using Imail.Worker.Tests.Purge;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Imail.Worker.Tests.Consents;

/// <summary>P5: consent periods end at their expiry, and signed-up people are told once per period.</summary>
public sealed class ConsentExpiryJobTests : IAsyncLifetime
{
    private const string ReminderKind = EmailTemplates.KindPrefix + EmailTemplates.ConsentRenewalReminder;
    private readonly PurgeDatabase _db = new();
    private DateTimeOffset Now => _db.Clock.GetUtcNow();

    public Task InitializeAsync() => _db.InitializeAsync();
    public Task DisposeAsync() => _db.DisposeAsync();

    [Fact]
    public async Task P5_AConsentEndsAtItsExpiry()
    {
        var consent = await OpenAsync(user: null);

        _db.Clock.SetUtcNow(consent.ExpiresAt.AddSeconds(-1));
        Assert.Equal(0, (await RunAsync()).Ended);
        Assert.Null((await FindAsync(consent.Id)).EndedAt);

        _db.Clock.SetUtcNow(consent.ExpiresAt);
        Assert.Equal(1, (await RunAsync()).Ended);
        var ended = await FindAsync(consent.Id);
        Assert.Equal(consent.ExpiresAt, ended.EndedAt);
        Assert.Equal(ConsentEnd.Expired, ended.EndReason);
        Assert.Equal(ConsentState.RenewalRequired, ended.StatusAt(Now, new ConsentRules()).State);
    }

    [Fact]
    public async Task P5_APeriodFoundLate_StillEndsAtItsExpiry_NotAtTheRun()
    {
        var consent = await OpenAsync(user: null);

        _db.Clock.SetUtcNow(consent.ExpiresAt.AddDays(3));
        await RunAsync();

        Assert.Equal(consent.ExpiresAt, (await FindAsync(consent.Id)).EndedAt);
    }

    [Fact]
    public async Task P5_ASignedUpUserGetsOneRenewalReminderPerPeriod()
    {
        var user = await SignUpAsync("ada@example.org", "nl");
        var first = await OpenAsync(user);
        _db.Clock.SetUtcNow(first.ExpiresAt);

        Assert.Equal((1, 1), Counts(await RunAsync()));
        Assert.Equal((0, 0), Counts(await RunAsync()));

        var reminders = await RemindersAsync();
        var reminder = Assert.Single(reminders);
        Assert.Equal(user.Id, reminder.UserId);
        Assert.Equal(OutboxState.Pending, reminder.State);
        var payload = JsonSerializer.Deserialize<EmailPayload>(reminder.Payload, OutboxJson.Options)!;
        Assert.Equal(("ada@example.org", Locale.Nl), (payload.To, payload.Locale));
        // 27 November 2026 03:17 UTC + 13 months, as the Brussels clock reads it (winter time, +01:00).
        Assert.Equal("2027-12-27T04:17:00+01:00", payload.Values["endedAt"]);
        Assert.Equal(Now, (await FindAsync(first.Id)).RenewalReminderQueuedAt);

        // A new period (the next decision) gets its own reminder when it ends in turn.
        var second = await OpenAsync(user);
        _db.Clock.SetUtcNow(second.ExpiresAt);
        Assert.Equal((1, 1), Counts(await RunAsync()));
        Assert.Equal(2, (await RemindersAsync()).Count);
    }

    [Fact]
    public async Task P5_AVisitorWithoutAccountGetsNoEmail()
    {
        var consent = await OpenAsync(user: null);
        _db.Clock.SetUtcNow(consent.ExpiresAt.AddMinutes(1));

        var result = await RunAsync();

        Assert.Equal((1, 0), Counts(result));
        Assert.Equal(0L, await _db.ScalarAsync<long>("SELECT count(*) FROM outbox_messages"));
    }

    [Fact]
    public async Task P5_NoReminderWhenANewerPeriodIsCurrent()
    {
        // What the API does when the person decides again after the expiry, before the job came by:
        // the old period ends as expired and a new one opens.
        var user = await SignUpAsync("ada@example.org");
        var old = await OpenAsync(user);
        _db.Clock.SetUtcNow(old.ExpiresAt.AddMinutes(10));
        await using (var db = Database())
        {
            var tracked = await db.Consents.SingleAsync(c => c.Id == old.Id);
            tracked.End(Now, ConsentEnd.Expired);
            await db.SaveChangesAsync();
            db.Consents.Add(NewConsent(user.Id, Now));
            await db.SaveChangesAsync();
        }
        _db.Clock.Advance(TimeSpan.FromMinutes(1));

        Assert.Equal((0, 0), Counts(await RunAsync()));
        Assert.Empty(await RemindersAsync());
    }

    [Fact]
    public async Task P5_NoReminderWhenANewerPeriodIsCurrent_EvenWithTheOldOneStillOpen()
    {
        // The database keeps one open period per account; without that index, the job still checks.
        await _db.ExecuteAsync("DROP INDEX ix_consents_current_user");
        var user = await SignUpAsync("ada@example.org");
        var old = await OpenAsync(user);
        _db.Clock.SetUtcNow(old.ExpiresAt.AddMinutes(-5));
        var newer = await OpenAsync(user);
        _db.Clock.SetUtcNow(old.ExpiresAt);

        var result = await RunAsync();

        Assert.Equal((1, 0, 1), (result.Ended, result.RemindersQueued, result.NewerPeriodCurrent));
        Assert.Equal(ConsentEnd.Expired, (await FindAsync(old.Id)).EndReason);
        Assert.Null((await FindAsync(newer.Id)).EndedAt);
        Assert.Empty(await RemindersAsync());
    }

    [Fact]
    public async Task P5_TwoJobsRunningAtOnce_StillQueueOneReminderPerPeriod()
    {
        const int people = 300;
        var deposit = Now;
        await using (var db = Database())
        {
            for (var i = 0; i < people; i++)
            {
                var user = User.SignUp($"person{i}@example.org", $"Person {i}", "fr", _db.Clock.GetUtcNow());
                db.Users.Add(user);
                db.Consents.Add(NewConsent(user.Id, deposit));
            }
            await db.SaveChangesAsync();
        }
        _db.Clock.SetUtcNow(new ConsentRules().ExpiryOf(deposit));
        var settings = new Dictionary<string, string?> { ["Imail:Schedules:ConsentExpiry:BatchSize"] = "20" };
        await using var one = _db.Services(settings);
        await using var other = _db.Services(settings);

        var results = await Task.WhenAll(
            Task.Run(() => one.GetRequiredService<ConsentExpiryJob>().RunAsync(CancellationToken.None)),
            Task.Run(() => other.GetRequiredService<ConsentExpiryJob>().RunAsync(CancellationToken.None)));

        Assert.Equal(people, results.Sum(r => r.Ended));
        Assert.Equal(people, results.Sum(r => r.RemindersQueued));
        var reminders = await RemindersAsync();
        Assert.Equal(people, reminders.Count);
        Assert.Equal(people, reminders.Select(r => r.UserId).Distinct().Count());
        Assert.Equal(0L, await _db.ScalarAsync<long>("SELECT count(*) FROM consents WHERE ended_at IS NULL"));
        Assert.Equal((0, 0), Counts(await RunAsync()));
    }

    [Fact]
    public async Task P5_TheReminderSaysWhenTheConsentEnded_InBrusselsTime_AndThatTheyWillBeAskedAgain()
    {
        var user = await SignUpAsync("zoe@example.org", "fr");
        var consent = await OpenAsync(user);
        _db.Clock.SetUtcNow(consent.ExpiresAt);
        await RunAsync();

        var payload = JsonSerializer.Deserialize<EmailPayload>(Assert.Single(await RemindersAsync()).Payload, OutboxJson.Options)!;
        var email = new EmailRenderer(new FixedPublisher()).Render(EmailTemplates.ConsentRenewalReminder, payload);

        Assert.Contains("27 décembre 2027 à 04:17", email.Text);
        Assert.Contains("prochaine visite", email.Text);
        Assert.Contains("Imail Solutions", email.Text);
    }

    [Fact]
    public async Task P5_APeriodThatEndedTooLongBeforeTheRun_EndsWithoutAReminder_AndIsCounted()
    {
        // The workers were down: one period ended 8 days before the run, another 6 days before it.
        var stale = await OpenAsync(await SignUpAsync("stale@example.org"));
        _db.Clock.Advance(TimeSpan.FromDays(2));
        var recent = await OpenAsync(await SignUpAsync("recent@example.org"));
        _db.Clock.SetUtcNow(stale.ExpiresAt.AddDays(8));

        var result = await RunAsync();

        Assert.Equal((2, 1, 1), (result.Ended, result.RemindersQueued, result.EndedTooLongAgo));
        Assert.Contains("1 skipped: ended too long ago", result.ToString());
        Assert.Equal(stale.ExpiresAt, (await FindAsync(stale.Id)).EndedAt);
        Assert.Null((await FindAsync(stale.Id)).RenewalReminderQueuedAt);
        Assert.Equal(recent.UserId, Assert.Single(await RemindersAsync()).UserId);
        Assert.Equal((0, 0), Counts(await RunAsync()));
    }

    [Fact]
    public async Task P5_HowLateAReminderMayStillGo_ComesFromConfiguration()
    {
        var consent = await OpenAsync(await SignUpAsync("ada@example.org"));
        _db.Clock.SetUtcNow(consent.ExpiresAt.AddDays(8));

        await using var services = _db.Services(new Dictionary<string, string?> { ["Imail:Consents:RenewalReminderStaleAfter"] = "10.00:00:00" });
        var result = await services.GetRequiredService<ConsentExpiryJob>().RunAsync(CancellationToken.None);

        Assert.Equal((1, 1, 0), (result.Ended, result.RemindersQueued, result.EndedTooLongAgo));
    }

    [Fact]
    public async Task AnOperator_RunsItByName()
    {
        var consent = await OpenAsync(user: null);
        _db.Clock.SetUtcNow(consent.ExpiresAt);
        await using var services = _db.Services();

        Assert.Equal(0, await ScheduledJobs.RunJobByNameAsync(services, "consent-expiry"));

        Assert.Equal(consent.ExpiresAt, (await FindAsync(consent.Id)).EndedAt);
    }

    [Fact]
    public async Task TheWorkerProgram_RunsIt_AndExits()
    {
        // The worker reads the real clock: a period deposited 14 months ago is over.
        var consent = NewConsent(null, ConsentRules.Truncate(DateTimeOffset.UtcNow.AddMonths(-14)));
        await using (var db = Database())
        {
            db.Consents.Add(consent);
            await db.SaveChangesAsync();
        }

        var exitCode = await WorkerProgram.Main([ScheduledJobs.RunJobCommand, "consent-expiry", $"--ConnectionStrings:Imail={_db.ConnectionString}"]);

        Assert.Equal(0, exitCode);
        Assert.Equal(consent.ExpiresAt, (await FindAsync(consent.Id)).EndedAt);
    }

    private static (int Ended, int Reminders) Counts(ConsentExpiryResult result) => (result.Ended, result.RemindersQueued);

    private async Task<ConsentExpiryResult> RunAsync()
    {
        await using var services = _db.Services();
        return await services.GetRequiredService<ConsentExpiryJob>().RunAsync(CancellationToken.None);
    }

    private ImailDbContext Database() => new(DatabaseSetup.Options(_db.ConnectionString));

    private Consent NewConsent(Guid? userId, DateTimeOffset firstDeposit) =>
        Consent.Open(Guid.NewGuid(), userId,
            [new PurposeChoice(ConsentPurpose.Statistics, true), new PurposeChoice(ConsentPurpose.Personalisation, false)],
            firstDeposit, new ConsentRules());

    private async Task<User> SignUpAsync(string email, string locale = "fr")
    {
        var user = User.SignUp(email, "Ada", locale, _db.Clock.GetUtcNow());
        await using var db = Database();
        db.Users.Add(user);
        await db.SaveChangesAsync();
        return user;
    }

    /// <summary>A period whose first deposit is now.</summary>
    private async Task<Consent> OpenAsync(User? user)
    {
        var consent = NewConsent(user?.Id, Now);
        await using var db = Database();
        db.Consents.Add(consent);
        await db.SaveChangesAsync();
        return consent;
    }

    private async Task<Consent> FindAsync(Guid id)
    {
        await using var db = Database();
        return await db.Consents.AsNoTracking().SingleAsync(c => c.Id == id);
    }

    private async Task<List<OutboxMessage>> RemindersAsync()
    {
        await using var db = Database();
        return await db.OutboxMessages.AsNoTracking().Where(m => m.Kind == ReminderKind).ToListAsync();
    }

    private sealed class FixedPublisher : IOptionsMonitor<Publisher>
    {
        public Publisher CurrentValue { get; } = new()
        {
            Name = "Imail Solutions — CINQ-CINQ SPRL",
            Address = "842, chaussée d'Alsemberg, 1180 Uccle, Belgique",
            PrivacyContact = "privacy@imail.example",
        };

        public Publisher Get(string? name) => CurrentValue;
        public IDisposable? OnChange(Action<Publisher, string?> listener) => null;
    }
}
