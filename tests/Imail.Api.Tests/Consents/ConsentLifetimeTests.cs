using Imail.Testing;
using static Imail.Api.Tests.Consents.ConsentApi;

namespace Imail.Api.Tests.Consents;

/// <summary>P5: 13 months from the first deposit, not extended by visits, then renewed.</summary>
public class ConsentLifetimeTests(ImailApiFactory api) : IClassFixture<ImailApiFactory>
{
    private static readonly TimeZoneInfo Brussels = TimeZoneInfo.FindSystemTimeZoneById("Europe/Brussels");

    [Fact]
    public async Task P5_NeverAsked_TheBannerIsShown()
    {
        var status = await api.StatusAsync(Guid.NewGuid().ToString());

        Assert.Equal("NEVER_ASKED", (string?)status["state"]);
        Assert.True((bool)status["showBanner"]!);
        Assert.Null(status["expiresAt"]);
        Assert.All(status["purposes"]!.AsArray(), p => Assert.False((bool)p!["effective"]!));
    }

    [Fact]
    public async Task P5_AFirstVisitGetsAVisitorId_AndConsentValidFor13MonthsFromTheFirstDeposit()
    {
        var depositedAt = api.Clock.GetUtcNow();

        var payload = await api.DecideAsync(Input(null, statistics: true, personalisation: false));

        Assert.True(Guid.TryParse((string?)payload["visitorId"], out _));
        var status = payload["status"]!;
        Assert.Equal("VALID", (string?)status["state"]);
        Assert.False((bool)status["showBanner"]!);
        Assert.Equal(depositedAt, Instant(status["firstDepositAt"]));
        var local = TimeZoneInfo.ConvertTime(depositedAt, Brussels);
        var expected = local.DateTime.AddMonths(13);
        Assert.Equal(expected, TimeZoneInfo.ConvertTime(Instant(status["expiresAt"]), Brussels).DateTime);
        Assert.True((bool)Purpose(status, "STATISTICS")["effective"]!);
        Assert.False((bool)Purpose(status, "PERSONALISATION")["effective"]!);
    }

    [Fact]
    public async Task P5_TheCookieLifetimeIsAtMost13MonthsFromItsFirstDeposit_TheSameInstantAsTheConsent()
    {
        var status = (await api.DecideAsync(Input(null, true, true)))["status"]!;

        Assert.Equal(Instant(status["expiresAt"]), Instant(status["cookieExpiresAt"]));
        Assert.True(Instant(status["cookieExpiresAt"]) <= Instant(status["firstDepositAt"]).AddMonths(13).AddHours(1));
    }

    [Fact]
    public async Task P5_AVisitDoesNotExtendEitherOne()
    {
        var first = await api.DecideAsync(Input(null, true, true));
        var visitor = (string)first["visitorId"]!;
        var expiresAt = Instant(first["status"]!["expiresAt"]);

        api.Clock.Advance(TimeSpan.FromDays(200));
        var later = await api.StatusAsync(visitor);

        Assert.Equal("VALID", (string?)later["state"]);
        Assert.Equal(expiresAt, Instant(later["expiresAt"]));
        Assert.Equal(expiresAt, Instant(later["cookieExpiresAt"]));
    }

    [Fact]
    public async Task P5_ARepeatedIdenticalDecisionExtendsNeither_NorMovesTheDecisionDate()
    {
        var first = await api.DecideAsync(Input(null, true, false));
        var visitor = (string)first["visitorId"]!;
        var decidedAt = Instant(Purpose(first["status"]!, "STATISTICS")["decidedAt"]);

        api.Clock.Advance(TimeSpan.FromDays(30));
        var again = await api.DecideAsync(Input(visitor, true, false));

        Assert.Equal((string?)first["status"]!["expiresAt"], (string?)again["status"]!["expiresAt"]);
        Assert.Equal((string?)first["status"]!["firstDepositAt"], (string?)again["status"]!["firstDepositAt"]);
        Assert.Equal(decidedAt, Instant(Purpose(again["status"]!, "STATISTICS")["decidedAt"]));
        Assert.Null(again["record"]); // nothing changed: nothing to prove (issue 8 item 8)
    }

    [Fact]
    public async Task P5_AfterThatDate_TheApiSaysTheBannerMustBeShownAgain_ToTheSecond()
    {
        var first = await api.DecideAsync(Input(null, true, true));
        var visitor = (string)first["visitorId"]!;
        var expiresAt = Instant(first["status"]!["expiresAt"]);

        api.Clock.SetUtcNow(expiresAt.AddSeconds(-1));
        Assert.Equal("VALID", (string?)(await api.StatusAsync(visitor))["state"]);

        api.Clock.SetUtcNow(expiresAt);
        var status = await api.StatusAsync(visitor);
        Assert.Equal("RENEWAL_REQUIRED", (string?)status["state"]);
        Assert.True((bool)status["showBanner"]!);
    }

    [Fact]
    public async Task P5_RecordsGivenBeforeAreNotUsedPastTheirEnd()
    {
        var first = await api.DecideAsync(Input(null, true, true));
        var visitor = (string)first["visitorId"]!;

        api.Clock.SetUtcNow(Instant(first["status"]!["expiresAt"]).AddMinutes(1));
        var status = await api.StatusAsync(visitor);

        Assert.All(status["purposes"]!.AsArray(), p =>
        {
            Assert.False((bool)p!["effective"]!);
            Assert.Null(p["granted"]);
        });
    }

    [Fact]
    public async Task P5_ARenewalStartsANewPeriod()
    {
        var first = await api.DecideAsync(Input(null, true, true));
        var visitor = (string)first["visitorId"]!;
        var oldExpiry = Instant(first["status"]!["expiresAt"]);
        api.Clock.SetUtcNow(oldExpiry.AddDays(3));
        var renewedAt = api.Clock.GetUtcNow();

        var renewed = await api.DecideAsync(Input(visitor, false, true));

        var status = renewed["status"]!;
        Assert.Equal("VALID", (string?)status["state"]);
        Assert.Equal(renewedAt, Instant(status["firstDepositAt"]));
        Assert.True(Instant(status["expiresAt"]) > oldExpiry);
        Assert.Equal(visitor, (string?)renewed["visitorId"]);
        var periods = await api.ExecuteDbAsync(db => Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.ToListAsync(
            db.Consents.Where(c => c.VisitorId == Guid.Parse(visitor)).OrderBy(c => c.FirstDepositAt)));
        Assert.Equal(2, periods.Count);
        Assert.Equal(Domain.Consents.ConsentEnd.Expired, periods[0].EndReason);
        Assert.Null(periods[1].EndedAt);
    }

    [Fact]
    public async Task P5_AfterExpiry_APartialAnswerDoesNotRenew_EveryPurposeMustBeAnswered()
    {
        var first = await api.DecideAsync(Input(null, true, true));
        var visitor = (string)first["visitorId"]!;
        api.Clock.SetUtcNow(Instant(first["status"]!["expiresAt"]).AddDays(1));

        var response = await api.GraphQLAsync(Decide, new
        {
            input = new { visitorId = visitor, choices = new[] { new { purpose = "STATISTICS", granted = true } }, policyVersion = TestPolicy.Version, bannerVersion = "b", frontEnd = "f" },
        });

        var error = Assert.Single(response.DataOrFail()["decideConsent"]!["errors"]!.AsArray())!;
        Assert.Equal("MISSING_PURPOSE_DECISION", (string?)error["code"]);
        Assert.Equal("RENEWAL_REQUIRED", (string?)(await api.StatusAsync(visitor))["state"]);
    }
}
