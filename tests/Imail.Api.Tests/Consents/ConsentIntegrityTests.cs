using System.Text.Json.Nodes;
using Imail.Testing;
using Imail.Worker.Consents;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static Imail.Api.Tests.Consents.ConsentApi;

namespace Imail.Api.Tests.Consents;

/// <summary>
/// Issue 8, items 1-9: consent across devices and accounts (P5, P6). Each test is one behaviour of
/// the caller × device table in docs/consent-banner.md; <see cref="ConsentMatrixTests"/> runs every cell.
/// </summary>
public class ConsentIntegrityTests(ImailApiFactory api) : IClassFixture<ImailApiFactory>
{
    private const string MyConsent = "{ me { consentStatus { state } consents { purpose effective } } }";

    [Fact]
    public async Task Item1_ADeviceAttachedToOneAccount_NeverGrantsAnythingToAnotherAccountSignedInOnIt()
    {
        var visitor = await AnonymousAsync(statistics: true);
        var owner = await api.SignUpAsync(visitor);
        Assert.True(Effective(await api.StatusAsync(visitor, api.UserToken(owner)), "STATISTICS"));
        var other = await api.CreateUserAsync($"{Guid.NewGuid():N}@example.org");
        var otherToken = api.UserToken(other.Id);

        var status = await api.StatusAsync(visitor, otherToken);
        var recorded = await api.RecordNavigationAsync(visitor, otherToken);

        Assert.Equal("NEVER_ASKED", (string?)status["state"]);
        Assert.False(Effective(status, "STATISTICS"));
        Assert.Equal((0, false), recorded);
        Assert.False(await api.ExecuteDbAsync(db => db.NavigationEvents.AnyAsync(e => e.UserId == other.Id)));
    }

    [Fact]
    public async Task Item2_StatusAndRecordingAgree_ForADeviceWhosePeriodWasSupersededAtSignIn()
    {
        // The person consents on a first device, later signs in on a second device that had refused anonymously.
        var first = await AnonymousAsync(statistics: true);
        var user = await api.SignUpAsync(first);
        api.Clock.Advance(TimeSpan.FromDays(3));
        var second = await AnonymousAsync(statistics: false);
        await api.AttachAsync(second, api.UserToken(user)); // the later deposit (refusal) wins: the first device's period ends superseded

        foreach (var (device, token) in new[] { (first, (string?)null), (first, api.UserToken(user)), (second, null), (second, api.UserToken(user)) })
        {
            var effective = Effective(await api.StatusAsync(device, token), "STATISTICS");
            var (recorded, consented) = await api.RecordNavigationAsync(device, token);
            Assert.Equal(effective, consented);
            Assert.Equal(effective ? 1 : 0, recorded);
        }
    }

    [Fact]
    public async Task Item3_AnEndedPeriodStillSaysRenew_AfterTheExpiryScheduleEndedIt()
    {
        var anonymous = await AnonymousAsync(statistics: true);
        var signedUp = await AnonymousAsync(statistics: true);
        var user = await api.SignUpAsync(signedUp);

        api.Clock.Advance(TimeSpan.FromDays(13 * 31 + 1));
        var run = await ActivatorUtilities.CreateInstance<ConsentExpiryJob>(api.Services).RunAsync(CancellationToken.None);
        Assert.True(run.Ended >= 2);
        api.Clock.Advance(TimeSpan.FromMinutes(5)); // the schedule's next runs change nothing

        Assert.Equal("RENEWAL_REQUIRED", (string?)(await api.StatusAsync(anonymous))["state"]);
        Assert.Equal("RENEWAL_REQUIRED", (string?)(await api.StatusAsync(null, api.UserToken(user)))["state"]);
        Assert.Equal("RENEWAL_REQUIRED", (string?)(await api.GraphQLAsync(MyConsent, token: api.UserToken(user))).DataOrFail()["me"]!["consentStatus"]!["state"]);
        Assert.Equal("NEVER_ASKED", (string?)(await api.StatusAsync(Guid.NewGuid().ToString()))["state"]);
    }

    [Fact]
    public async Task Item4_ASignedInPersonWithdrawingWithADevicesVisitorId_WithdrawsWhatIsInForceForThemOnIt()
    {
        var visitor = await AnonymousAsync(statistics: true); // decided before signing in; the front-end never called attachVisitor
        var user = await api.CreateUserAsync($"{Guid.NewGuid():N}@example.org");
        var token = api.UserToken(user.Id);

        var payload = await api.WithdrawAsync(visitor, token);

        Assert.Empty(payload["errors"]!.AsArray());
        Assert.NotNull(payload["record"]);
        foreach (var caller in new[] { null, token })
        {
            Assert.False(Effective(await api.StatusAsync(visitor, caller), "STATISTICS"));
            Assert.False(Effective(await api.StatusAsync(null, caller), "STATISTICS"));
            Assert.Equal((0, false), await api.RecordNavigationAsync(visitor, caller));
        }
    }

    [Fact]
    public async Task Item4_OnADeviceOfAnotherAccount_AWithdrawalAlsoWithdrawsTheDevicesAnonymousConsent()
    {
        var visitor = await AnonymousAsync(statistics: false);
        await api.SignUpAsync(visitor); // the device is the owner's
        await api.DecideAsync(Input(visitor, statistics: true, personalisation: true)); // then someone, signed out, consents on it
        var other = await api.CreateUserAsync($"{Guid.NewGuid():N}@example.org");

        var payload = await api.WithdrawAsync(visitor, api.UserToken(other.Id));

        Assert.Empty(payload["errors"]!.AsArray());
        var anonymous = await api.StatusAsync(visitor);
        Assert.False(Effective(anonymous, "STATISTICS"));
        Assert.False(Effective(anonymous, "PERSONALISATION"));
        Assert.Equal((0, false), await api.RecordNavigationAsync(visitor, null));
    }

    [Fact]
    public async Task Item5_ASecondAccountOnAnAttachedDevice_GetsItsOwnPeriod_OrATypedError_NeverADatabaseError()
    {
        var visitor = await AnonymousAsync(statistics: true);
        var owner = await api.SignUpAsync(visitor);
        var other = await api.CreateUserAsync($"{Guid.NewGuid():N}@example.org");
        var token = api.UserToken(other.Id);

        var decided = await api.DecideAsync(Input(visitor, statistics: false, personalisation: true), token);
        var attach = await api.AttachAsync(visitor, token);
        var withdrawn = await api.WithdrawAsync(visitor, token);

        Assert.Equal("VALID", (string?)decided["status"]!["state"]);
        Assert.Equal(visitor, (string?)decided["visitorId"]);
        var error = Assert.Single(attach["errors"]!.AsArray())!;
        Assert.Equal(("ConflictError", "VISITOR_OF_ANOTHER_ACCOUNT"), ((string?)error["__typename"], (string?)error["code"]));
        Assert.Empty(withdrawn["errors"]!.AsArray());
        // Each account has its own period; the device stays the owner's.
        var periods = await api.ExecuteDbAsync(db => db.Consents.Where(c => c.EndedAt == null && (c.UserId == owner || c.UserId == other.Id)).ToListAsync());
        Assert.Equal(2, periods.Count);
        Assert.Equal(owner, await api.ExecuteDbAsync(db => db.Visitors.Where(v => v.Id == Guid.Parse(visitor)).Select(v => v.UserId).SingleAsync()));
        Assert.True(Effective(await api.StatusAsync(null, api.UserToken(owner)), "STATISTICS"));
    }

    [Fact]
    public async Task Item6_ACookieIsNeverExtendedWithoutADecisionOnThatDevice()
    {
        // Everything granted, so no refusal's memory brings the banner back before the cookie's end.
        var first = await AnonymousAsync(statistics: true, personalisation: true);
        var firstCookie = Instant((await api.StatusAsync(first))["cookieExpiresAt"]);
        var user = await api.SignUpAsync(first);
        api.Clock.Advance(TimeSpan.FromDays(20));
        var second = await AnonymousAsync(statistics: true, personalisation: true);
        await api.AttachAsync(second, api.UserToken(user)); // the second device's later period now governs the account

        var onFirst = await api.StatusAsync(first, api.UserToken(user));
        Assert.True(Instant(onFirst["expiresAt"]) > firstCookie); // the account's consent runs longer…
        Assert.Equal(firstCookie, Instant(onFirst["cookieExpiresAt"])); // …but the first device's cookie is not extended

        // At the first device's 13 months, the banner is shown there, and nothing is used there…
        api.Clock.SetUtcNow(firstCookie);
        var token = api.UserToken(user);
        var ended = await api.StatusAsync(first, token);
        Assert.Equal("RENEWAL_REQUIRED", (string?)ended["state"]);
        Assert.False(Effective(ended, "STATISTICS"));
        Assert.Equal((0, false), await api.RecordNavigationAsync(first, token));
        Assert.Equal("VALID", (string?)(await api.StatusAsync(second, token))["state"]);
        // …until a decision on that device deposits the cookie anew: a new proof, and 13 months from now at most.
        var renewed = await api.DecideAsync(Input(first, statistics: true, personalisation: true), token);
        Assert.NotNull(renewed["record"]);
        Assert.Equal("VALID", (string?)renewed["status"]!["state"]);
        Assert.True(Instant(renewed["status"]!["cookieExpiresAt"]) > firstCookie);
        Assert.True(Instant(renewed["status"]!["cookieExpiresAt"]) <= api.Clock.GetUtcNow().AddMonths(13).AddHours(1));
    }

    [Fact]
    public async Task Item7_AVisitorIdImailNeverIssued_OpensNothing()
    {
        var madeUp = Guid.NewGuid().ToString();
        var before = await api.ExecuteDbAsync(db => db.ConsentRecords.CountAsync());

        var response = await api.GraphQLAsync(Decide, new { input = Input(madeUp, true, true) });

        var error = Assert.Single(response.DataOrFail()["decideConsent"]!["errors"]!.AsArray())!;
        Assert.Equal(("UNKNOWN_VISITOR_ID", "visitorId"), ((string?)error["code"], (string?)error["field"]));
        Assert.Equal(before, await api.ExecuteDbAsync(db => db.ConsentRecords.CountAsync()));
        Assert.False(await api.ExecuteDbAsync(db => db.Consents.AnyAsync(c => c.VisitorId == Guid.Parse(madeUp))));
        Assert.Equal("NEVER_ASKED", (string?)(await api.StatusAsync(madeUp))["state"]);
    }

    [Fact]
    public async Task Item7_AnAnonymousHolderOfAnAttachedDevicesId_ActsOnTheDevice_NeverOnTheAccount()
    {
        var visitor = await AnonymousAsync(statistics: false);
        var owner = await api.SignUpAsync(visitor);

        var granted = await api.DecideAsync(Input(visitor, statistics: true, personalisation: true)); // signed out, on the owner's device

        Assert.True(Effective(granted["status"]!, "STATISTICS")); // the device's anonymous visitor
        var account = (await api.GraphQLAsync(MyConsent, token: api.UserToken(owner))).DataOrFail()["me"]!;
        Assert.False(Effective(account, "STATISTICS")); // the account did not move
        Assert.False(Effective(account, "PERSONALISATION"));
    }

    [Fact]
    public async Task Item8_ProofsRecordDecisions_NotRepetitions()
    {
        var visitor = await AnonymousAsync(statistics: true);
        int Count() => api.ExecuteDbAsync(db => db.ConsentRecords.CountAsync(r => r.VisitorId == Guid.Parse(visitor))).GetAwaiter().GetResult();
        Assert.Equal(1, Count());

        for (var i = 0; i < 5; i++) Assert.Null((await api.DecideAsync(Input(visitor, true, false)))["record"]);
        Assert.Null((await api.WithdrawAsync(visitor, null, "PERSONALISATION"))["record"]); // already refused
        Assert.Equal(1, Count());

        Assert.NotNull((await api.DecideAsync(Input(visitor, true, false, banner: "b2")))["record"]); // new banner text: a new proof
        Assert.NotNull((await api.WithdrawAsync(visitor, null))["record"]);
        Assert.Null((await api.WithdrawAsync(visitor, null))["record"]); // nothing left in force
        Assert.Equal(3, Count());
    }

    [Fact]
    public async Task Item9_NavigationRecordedOnADeviceBeforeSignUp_FollowsThePerson()
    {
        var visitor = await AnonymousAsync(statistics: true);
        Assert.Equal((1, true), await api.RecordNavigationAsync(visitor, null));
        Assert.Equal((1, true), await api.RecordNavigationAsync(visitor, null));

        var user = await api.SignUpAsync(visitor);

        Assert.Equal(2, await api.ExecuteDbAsync(db => db.NavigationEvents.CountAsync(e => e.VisitorId == Guid.Parse(visitor) && e.UserId == user)));
        var held = (await api.GraphQLAsync("{ me { personalData { category { code } fields } } }", token: api.UserToken(user))).DataOrFail()["me"]!["personalData"]!;
        Assert.Contains(held.AsArray(), i => (string?)i!["category"]!["code"] == "navigation");
        // Erased with the person (P8): today erasure deletes the account row, and everything about them goes with it.
        await api.ExecuteDbAsync(db => db.Users.Where(u => u.Id == user).ExecuteDeleteAsync());
        Assert.False(await api.ExecuteDbAsync(db => db.NavigationEvents.AnyAsync(e => e.VisitorId == Guid.Parse(visitor))));
        Assert.False(await api.ExecuteDbAsync(db => db.Visitors.AnyAsync(v => v.Id == Guid.Parse(visitor))));
    }

    private async Task<string> AnonymousAsync(bool statistics, bool personalisation = false) =>
        (string)(await api.DecideAsync(Input(null, statistics, personalisation)))["visitorId"]!;

    private static bool Effective(JsonNode status, string purpose) => (bool)Purpose(status, purpose)["effective"]!;
}
