using System.Security.Claims;
using System.Text.Json;
using Imail.Api.Auth;
using Imail.Domain.Lifecycle;
using Imail.Domain.Outbox;
using Imail.Domain.Persistence;
using Imail.Domain.Users;
using Imail.Worker.Lifecycle;
using Imail.Worker.Schedules;
using Imail.Worker.Tests.Purge;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.DependencyInjection;

namespace Imail.Worker.Tests.Lifecycle;

/// <summary>P9: three years without authenticating, one invitation to sign in, then the erasure (P8) unless the person signs in.</summary>
public sealed class InactivityJobTests : IAsyncLifetime
{
    private const string InvitationKind = EmailTemplates.KindPrefix + EmailTemplates.InactivityInvitation;
    private const string ConfirmationKind = EmailTemplates.KindPrefix + EmailTemplates.ErasureConfirmation;
    private readonly PurgeDatabase _db = new();
    private DateTimeOffset Now => _db.Clock.GetUtcNow();

    public Task InitializeAsync() => _db.InitializeAsync();
    public Task DisposeAsync() => _db.DisposeAsync();

    [Fact]
    public async Task P9_AUserWhoHasNotAuthenticatedForThreeYears_IsInvitedToSignIn_ExactlyThen_NotOneSecondBefore()
    {
        var signedIn = Now;
        var user = await SignUpAsync("ada@example.org", "nl", lastAuthenticatedAt: signedIn);

        _db.Clock.SetUtcNow(signedIn.AddYears(3).AddSeconds(-1));
        Assert.Equal(0, (await RunAsync()).Invited);
        Assert.Empty(await MessagesAsync(InvitationKind));

        _db.Clock.SetUtcNow(signedIn.AddYears(3));
        var result = await RunAsync();

        Assert.Equal((1, 0), (result.Invited, result.Erased));
        var invitation = Assert.Single(await MessagesAsync(InvitationKind));
        var deadline = Now.AddDays(30);
        Assert.Equal((user.Id, (DateTimeOffset?)deadline), (invitation.UserId, invitation.DiscardAfter));
        var payload = JsonSerializer.Deserialize<EmailPayload>(invitation.Payload, OutboxJson.Options)!;
        Assert.Equal(("ada@example.org", Locale.Nl), (payload.To, payload.Locale));
        // 27 November 2029 03:17 UTC + 30 days, as the Brussels clock reads it (winter time, +01:00).
        Assert.Equal(("2026-11-27T04:17:00+01:00", "2029-12-27T04:17:00+01:00"), (payload.Values["lastSignIn"], payload.Values["deadline"]));
        var stored = await FindAsync(user.Id);
        Assert.Equal(((DateTimeOffset?)Now, (DateTimeOffset?)deadline), (stored!.InactivityWarnedAt, stored.InactivityDeadline));
        Assert.StartsWith("inactivity: 1 accounts invited to sign in (not authenticated since 2026-11-27 03:17:00Z, account retention P3Y, grace period 30 days); 0 accounts erased", result.ToString());
    }

    [Fact]
    public async Task P9_AnAccountNeverAuthenticated_CountsFromItsCreation()
    {
        var created = Now;
        await SignUpAsync("never@example.org", lastAuthenticatedAt: null);

        _db.Clock.SetUtcNow(created.AddYears(3).AddSeconds(-1));
        Assert.Equal(0, (await RunAsync()).Invited);
        _db.Clock.SetUtcNow(created.AddYears(3));
        Assert.Equal(1, (await RunAsync()).Invited);
    }

    [Fact]
    public async Task P9_OneInvitationPerInactivityPeriod_NeverTwo_EvenWhenTheJobRunsTwice()
    {
        var signedIn = Now;
        var user = await SignUpAsync("ada@example.org", lastAuthenticatedAt: signedIn);
        _db.Clock.SetUtcNow(signedIn.AddYears(3));

        Assert.Equal(1, (await RunAsync()).Invited);
        Assert.Equal(0, (await RunAsync()).Invited);
        _db.Clock.Advance(TimeSpan.FromDays(29));
        Assert.Equal((0, 0), Counts(await RunAsync()));
        Assert.Single(await MessagesAsync(InvitationKind));

        // A sign-in before the deadline starts a new inactivity period: its own invitation, three years later.
        var saved = Now;
        await SignInAsync(user.Id, saved);
        _db.Clock.SetUtcNow(saved.AddYears(3).AddSeconds(-1));
        Assert.Equal((0, 0), Counts(await RunAsync()));
        _db.Clock.SetUtcNow(saved.AddYears(3));
        Assert.Equal((1, 0), Counts(await RunAsync()));
        Assert.Equal(2, (await MessagesAsync(InvitationKind)).Count);
    }

    [Fact]
    public async Task P9_ASignInOneSecondBeforeTheDeadline_SavesTheAccount_OneSecondAfter_DoesNot()
    {
        var start = Now;
        var saved = await SignUpAsync("saved@example.org", lastAuthenticatedAt: start);
        var lost = await SignUpAsync("lost@example.org", lastAuthenticatedAt: start);
        _db.Clock.SetUtcNow(start.AddYears(3));
        await RunAsync();
        var deadline = (await FindAsync(saved.Id))!.InactivityDeadline!.Value;

        _db.Clock.SetUtcNow(deadline.AddMinutes(1));
        await SignInAsync(saved.Id, deadline.AddSeconds(-1));
        await SignInAsync(lost.Id, deadline.AddSeconds(1));
        var result = await RunAsync();

        Assert.Equal((0, 1), Counts(result));
        var kept = await FindAsync(saved.Id);
        Assert.NotNull(kept);
        Assert.Equal(((DateTimeOffset?)null, (DateTimeOffset?)null, (DateTimeOffset?)deadline.AddSeconds(-1)),
            (kept!.InactivityWarnedAt, kept.InactivityDeadline, kept.LastAuthenticatedAt));
        Assert.Null(await FindAsync(lost.Id));
        await using var db = Database();
        var erasure = await db.Erasures.AsNoTracking().SingleAsync();
        Assert.Equal((ErasureReason.Inactivity, "system", lost.AuditRef), (erasure.Reason, erasure.ByRole, erasure.Subject));
        var confirmation = Assert.Single(await MessagesAsync(ConfirmationKind));
        Assert.Contains("lost@example.org", confirmation.Payload);
        Assert.Empty(await db.OutboxMessages.AsNoTracking().Where(m => m.UserId == lost.Id).ToListAsync());
    }

    [Fact]
    public async Task P9_AnAccountStillUnusedAtItsDeadline_IsErased_ExactlyThen()
    {
        var user = await SignUpAsync("ada@example.org", lastAuthenticatedAt: Now);
        _db.Clock.SetUtcNow(Now.AddYears(3));
        await RunAsync();
        var deadline = (await FindAsync(user.Id))!.InactivityDeadline!.Value;

        _db.Clock.SetUtcNow(deadline.AddSeconds(-1));
        Assert.Equal(0, (await RunAsync()).Erased);
        _db.Clock.SetUtcNow(deadline);
        Assert.Equal(1, (await RunAsync()).Erased);

        Assert.Null(await FindAsync(user.Id));
        Assert.Equal(0, (await RunAsync()).Erased);
    }

    [Fact]
    public async Task P9_TwoWorkersRunningTheJobAtOnce_SendOneEmailAndEraseOnce_PerAccount()
    {
        const int accounts = 120;
        var start = Now;
        await _db.ExecuteAsync($"""
            INSERT INTO users (id, email, display_name, locale, status, created_at, updated_at, last_authenticated_at, audit_ref, restrictions)
            SELECT gen_random_uuid(), 'user' || n || '@example.org', 'User ' || n, 'Fr', 'Active', '{start:O}', '{start:O}', '{start:O}', gen_random_uuid(), ARRAY[]::text[]
            FROM generate_series(1, {accounts}) AS n
            """);
        var settings = new Dictionary<string, string?> { ["Imail:Schedules:Inactivity:BatchSize"] = "7" };

        _db.Clock.SetUtcNow(start.AddYears(3));
        var invitations = await BothAsync(settings);
        Assert.Equal(accounts, invitations.Sum(r => r.Invited));
        var sent = await MessagesAsync(InvitationKind);
        Assert.Equal(accounts, sent.Count);
        Assert.Equal(accounts, sent.Select(m => m.UserId).Distinct().Count());

        _db.Clock.SetUtcNow(start.AddYears(3).AddDays(30));
        var erasures = await BothAsync(settings);
        Assert.Equal(accounts, erasures.Sum(r => r.Erased));
        Assert.Equal(0, erasures.Sum(r => r.Failed));
        Assert.Equal(0L, await _db.ScalarAsync<long>("SELECT count(*) FROM users"));
        Assert.Equal((long)accounts, await _db.ScalarAsync<long>("SELECT count(*) FROM erasures"));
        Assert.Equal((long)accounts, await _db.ScalarAsync<long>($"SELECT count(*) FROM outbox_messages WHERE kind = '{ConfirmationKind}'"));
    }

    [Fact]
    public async Task P9_AnInactivityPeriodChangedInTheRegistry_IsHonouredAtTheNextRun()
    {
        var start = Now;
        var twentyFiveMonths = await SignUpAsync("old@example.org", lastAuthenticatedAt: start.AddMonths(-25));
        await SignUpAsync("recent@example.org", lastAuthenticatedAt: start.AddMonths(-23));
        Assert.Equal(0, (await RunAsync()).Invited);

        // CNIL's 2025 guidance calls two years proportionate: staff set it in the registry, nowhere else.
        await _db.ExecuteAsync("UPDATE data_categories SET retention_months = 24, retention_days = 0 WHERE code = 'account'");
        var result = await RunAsync();

        Assert.Equal((1, "P2Y"), (result.Invited, result.Period.Iso8601));
        Assert.Equal(twentyFiveMonths.Id, Assert.Single(await MessagesAsync(InvitationKind)).UserId);
    }

    [Fact]
    public async Task P9_TheGracePeriod_ComesFromConfiguration()
    {
        var user = await SignUpAsync("ada@example.org", lastAuthenticatedAt: Now);
        _db.Clock.SetUtcNow(Now.AddYears(3));

        await RunAsync(new Dictionary<string, string?> { ["Imail:Inactivity:GracePeriod"] = "10.00:00:00" });

        Assert.Equal(Now.AddDays(10), (await FindAsync(user.Id))!.InactivityDeadline);
    }

    [Fact]
    public async Task P9_ADryRun_CountsWhatItWouldInviteAndErase_AndChangesNothing()
    {
        var toErase = await SignUpAsync("erase@example.org", lastAuthenticatedAt: Now.AddYears(-4));
        await RunAsync();
        _db.Clock.Advance(TimeSpan.FromDays(40));
        var start = Now;
        await SignUpAsync("invite1@example.org", lastAuthenticatedAt: start.AddYears(-3));
        await SignUpAsync("invite2@example.org", lastAuthenticatedAt: start.AddYears(-5));
        await SignUpAsync("active@example.org", lastAuthenticatedAt: start.AddDays(-1));
        var outboxBefore = await _db.ScalarAsync<long>("SELECT count(*) FROM outbox_messages");

        InactivityResult dry;
        await using (var services = _db.Services())
            dry = await services.GetRequiredService<InactivityJob>().DryRunAsync(CancellationToken.None);

        Assert.Equal((true, 2, 1), (dry.DryRun, dry.Invited, dry.Erased));
        Assert.StartsWith("inactivity, dry run: 2 accounts would be invited to sign in (", dry.ToString());
        Assert.EndsWith("; 1 accounts would be erased (deadline passed without a sign-in); nothing changed.", dry.ToString());
        Assert.NotNull(await FindAsync(toErase.Id));
        Assert.Equal(outboxBefore, await _db.ScalarAsync<long>("SELECT count(*) FROM outbox_messages"));
        Assert.Equal(1L, await _db.ScalarAsync<long>("SELECT count(*) FROM users WHERE inactivity_warned_at IS NOT NULL"));

        var run = await RunAsync();
        Assert.Equal((2, 1), Counts(run));
    }

    [Fact]
    public async Task AnOperator_RunsItByName_OrDryRunsIt()
    {
        var user = await SignUpAsync("ada@example.org", lastAuthenticatedAt: Now.AddYears(-3));
        await using var services = _db.Services();

        Assert.Equal(0, await ScheduledJobs.RunJobByNameAsync(services, "inactivity", dryRun: true));
        Assert.Null((await FindAsync(user.Id))!.InactivityWarnedAt);
        Assert.Equal(0, await ScheduledJobs.RunJobByNameAsync(services, "inactivity"));
        Assert.NotNull((await FindAsync(user.Id))!.InactivityWarnedAt);
    }

    private static (int Invited, int Erased) Counts(InactivityResult result) => (result.Invited, result.Erased);

    private async Task<InactivityResult> RunAsync(IDictionary<string, string?>? settings = null)
    {
        await using var services = _db.Services(settings);
        return await services.GetRequiredService<InactivityJob>().RunAsync(CancellationToken.None);
    }

    /// <summary>Two workers' jobs, each with its own services and connections, at the same moment.</summary>
    private async Task<InactivityResult[]> BothAsync(IDictionary<string, string?> settings)
    {
        await using var one = _db.Services(settings);
        await using var other = _db.Services(settings);
        return await Task.WhenAll(
            Task.Run(() => one.GetRequiredService<InactivityJob>().RunAsync(CancellationToken.None)),
            Task.Run(() => other.GetRequiredService<InactivityJob>().RunAsync(CancellationToken.None)));
    }

    /// <summary>A sign-in as the API records it, from the token's auth_time.</summary>
    private async Task SignInAsync(Guid userId, DateTimeOffset authenticatedAt)
    {
        await using var services = _db.Services();
        var recorder = new AuthenticationRecorder(services.GetRequiredService<IDbContextFactory<ImailDbContext>>(),
            new MemoryCache(new MemoryCacheOptions()), _db.Clock);
        var identity = new ClaimsIdentity(
            [new Claim("sub", userId.ToString()), new Claim("role", Roles.User), new Claim("auth_time", authenticatedAt.ToUnixTimeSeconds().ToString())],
            "test", "sub", "role");
        await recorder.RecordAsync(new ClaimsPrincipal(identity), CancellationToken.None);
    }

    private ImailDbContext Database() => new(DatabaseSetup.Options(_db.ConnectionString));

    private async Task<User> SignUpAsync(string email, string locale = "fr", DateTimeOffset? lastAuthenticatedAt = null)
    {
        var user = User.SignUp(email, "Ada", locale, Now);
        await using (var db = Database())
        {
            db.Users.Add(user);
            await db.SaveChangesAsync();
        }
        if (lastAuthenticatedAt is { } at)
            await _db.ExecuteAsync($"UPDATE users SET last_authenticated_at = '{at:O}' WHERE id = '{user.Id}'");
        return user;
    }

    private async Task<User?> FindAsync(Guid id)
    {
        await using var db = Database();
        return await db.Users.AsNoTracking().SingleOrDefaultAsync(u => u.Id == id);
    }

    private async Task<List<OutboxMessage>> MessagesAsync(string kind)
    {
        await using var db = Database();
        return await db.OutboxMessages.AsNoTracking().Where(m => m.Kind == kind).ToListAsync();
    }
}
