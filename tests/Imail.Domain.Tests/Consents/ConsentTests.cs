using System.Globalization;
using Imail.Domain.Common;
using Imail.Domain.Consents;
using Microsoft.Extensions.Time.Testing;

namespace Imail.Domain.Tests.Consents;

/// <summary>P5: a consent period is fixed by the first deposit, not extended by visits, then renewed.</summary>
public class ConsentTests
{
    private static readonly DateTimeOffset Deposit = DateTimeOffset.Parse("2026-01-31T10:00:00+01:00", CultureInfo.InvariantCulture);
    private static readonly DateTimeOffset Expiry = DateTimeOffset.Parse("2027-02-28T10:00:00+01:00", CultureInfo.InvariantCulture);

    private readonly FakeTimeProvider _clock = new(Deposit);
    private readonly ConsentRules _rules = new();

    private static PurposeChoice[] Answers(bool statistics, bool personalisation) =>
        [new(ConsentPurpose.Statistics, statistics), new(ConsentPurpose.Personalisation, personalisation)];

    private Consent Open(bool statistics = true, bool personalisation = true, ConsentRules? rules = null) =>
        Consent.Open(Guid.NewGuid(), null, Answers(statistics, personalisation), _clock.GetUtcNow(), rules ?? _rules);

    private static PurposeStatus Of(ConsentStatus status, ConsentPurpose purpose) => status.Purposes.Single(p => p.Purpose == purpose);

    [Fact]
    public void P5_ConsentExpiresExactly13MonthsAfterFirstDeposit_ToTheSecond()
    {
        var consent = Open();
        Assert.Equal(Deposit, consent.FirstDepositAt);
        Assert.Equal(Expiry, consent.ExpiresAt);
        Assert.Equal(ConsentState.Valid, consent.StatusAt(Expiry.AddSeconds(-1), _rules).State);
        Assert.Equal(ConsentState.Valid, consent.StatusAt(Expiry.AddTicks(-1), _rules).State);
        Assert.Equal(ConsentState.RenewalRequired, consent.StatusAt(Expiry, _rules).State);
        Assert.Equal(ConsentState.RenewalRequired, consent.StatusAt(Expiry.AddYears(1), _rules).State);
    }

    [Fact]
    public void P5_AllowsAPurposeUntilOneTickBeforeExpiry_AndNeverFromExpiryOn()
    {
        var consent = Open();
        Assert.True(consent.Allows(ConsentPurpose.Statistics, Expiry.AddSeconds(-1)));
        Assert.True(consent.Allows(ConsentPurpose.Statistics, Expiry.AddTicks(-1)));
        Assert.False(consent.Allows(ConsentPurpose.Statistics, Expiry));
        Assert.False(consent.Allows(ConsentPurpose.Personalisation, Expiry.AddDays(1)));
    }

    [Fact]
    public void P5_ConsentOpenedIn_March_ExpiresOnTheLocalCalendar_NotIn_UTC()
    {
        _clock.SetUtcNow(DateTimeOffset.Parse("2026-03-15T11:00:00Z", CultureInfo.InvariantCulture));
        var consent = Open();
        var expiry = DateTimeOffset.Parse("2027-04-15T10:00:00Z", CultureInfo.InvariantCulture);
        Assert.Equal(expiry, consent.ExpiresAt);
        Assert.Equal(ConsentState.Valid, consent.StatusAt(expiry.AddSeconds(-1), _rules).State);
        Assert.Equal(ConsentState.RenewalRequired, consent.StatusAt(expiry, _rules).State);
        Assert.False(consent.Allows(ConsentPurpose.Statistics, expiry.AddMinutes(30)));
    }

    [Fact]
    public void P5_LaterVisits_DoNotExtendTheConsent()
    {
        var consent = Open();
        var decidedAt = consent.Choices.Select(c => c.DecidedAt).ToList();
        foreach (var visit in new[] { Deposit.AddDays(1), Deposit.AddMonths(6), Expiry.AddDays(-1), Expiry.AddSeconds(-1) })
        {
            var status = consent.StatusAt(visit, _rules);
            Assert.Equal(Expiry, status.ExpiresAt);
            Assert.Equal(Deposit, status.FirstDepositAt);
        }
        Assert.Equal(Expiry, consent.ExpiresAt);
        Assert.Equal(Deposit, consent.FirstDepositAt);
        Assert.Equal(decidedAt, consent.Choices.Select(c => c.DecidedAt).ToList());
    }

    [Fact]
    public void P5_ARepeatedIdenticalDecision_ChangesNothing_AndSaysSo()
    {
        var consent = Open(statistics: true, personalisation: false);
        var later = Deposit.AddMonths(2);
        Assert.False(consent.Decide(Answers(true, false), later));
        Assert.Equal(Expiry, consent.ExpiresAt);
        Assert.All(consent.Choices, c => Assert.Equal(Deposit, c.DecidedAt));
        Assert.Equal(Deposit, Of(consent.StatusAt(later, _rules), ConsentPurpose.Statistics).DecidedAt);
    }

    [Fact]
    public void P5_ChangingOneAnswer_MovesOnlyThatPurposesDate_AndNotTheExpiry()
    {
        var consent = Open(statistics: true, personalisation: true);
        var later = Deposit.AddMonths(2);
        Assert.True(consent.Decide(Answers(true, false), later));
        Assert.Equal(Expiry, consent.ExpiresAt);
        Assert.Equal(Deposit, consent.Choices.Single(c => c.Purpose == ConsentPurpose.Statistics).DecidedAt);
        Assert.Equal(later, consent.Choices.Single(c => c.Purpose == ConsentPurpose.Personalisation).DecidedAt);
    }

    [Fact]
    public void P5_AfterARefusal_TheBannerStaysAwayFor6Months_ThenMustBeShownAgain()
    {
        var consent = Open(statistics: false, personalisation: true);
        var askAgain = DateTimeOffset.Parse("2026-07-31T10:00:00+02:00", CultureInfo.InvariantCulture);
        Assert.Equal(ConsentState.Valid, consent.StatusAt(askAgain.AddSeconds(-1), _rules).State);
        var at = consent.StatusAt(askAgain, _rules);
        Assert.Equal(ConsentState.RenewalRequired, at.State);
        Assert.Equal(askAgain, at.AskAgainAt);
        Assert.Equal(askAgain, consent.StatusAt(Deposit, _rules).AskAgainAt);
        Assert.True(askAgain < consent.ExpiresAt);
    }

    [Fact]
    public void P5_RefusalMemoryRunsFromTheRefusal_NotFromTheFirstDeposit()
    {
        var consent = Open();
        var refusedAt = DateTimeOffset.Parse("2026-03-31T18:00:00+02:00", CultureInfo.InvariantCulture);
        Assert.True(consent.Decide([new(ConsentPurpose.Statistics, false)], refusedAt));
        var askAgain = DateTimeOffset.Parse("2026-09-30T18:00:00+02:00", CultureInfo.InvariantCulture);
        Assert.Equal(askAgain, consent.StatusAt(refusedAt, _rules).AskAgainAt);
        Assert.Equal(ConsentState.Valid, consent.StatusAt(askAgain.AddSeconds(-1), _rules).State);
        Assert.Equal(ConsentState.RenewalRequired, consent.StatusAt(askAgain, _rules).State);
    }

    [Fact]
    public void P5_RepeatingARefusal_DoesNotRestartItsMemory()
    {
        var consent = Open(statistics: false, personalisation: true);
        Assert.False(consent.Decide(Answers(false, true), Deposit.AddMonths(3)));
        Assert.Equal(DateTimeOffset.Parse("2026-07-31T10:00:00+02:00", CultureInfo.InvariantCulture),
            consent.StatusAt(Deposit.AddMonths(3), _rules).AskAgainAt);
    }

    [Fact]
    public void P5_GrantingAfterARefusal_IsValidAgain_WithTheExpiryUnchanged()
    {
        var consent = Open(statistics: false, personalisation: false);
        var grantedAt = Deposit.AddMonths(2);
        Assert.True(consent.Decide(Answers(true, true), grantedAt));
        var status = consent.StatusAt(Deposit.AddMonths(7), _rules);
        Assert.Equal(ConsentState.Valid, status.State);
        Assert.Equal(Expiry, status.ExpiresAt);
        Assert.Equal(Expiry, status.AskAgainAt);
        Assert.Equal(Expiry, consent.ExpiresAt);
        Assert.True(consent.Allows(ConsentPurpose.Statistics, grantedAt));
    }

    [Fact]
    public void P5_RefusalMemory_IsConfigurable()
    {
        var rules = new ConsentRules { RefusalMemoryMonths = 3 };
        var consent = Open(statistics: false, rules: rules);
        var askAgain = DateTimeOffset.Parse("2026-04-30T10:00:00+02:00", CultureInfo.InvariantCulture);
        Assert.Equal(askAgain, consent.StatusAt(Deposit, rules).AskAgainAt);
        Assert.Equal(ConsentState.Valid, consent.StatusAt(askAgain.AddSeconds(-1), rules).State);
        Assert.Equal(ConsentState.RenewalRequired, consent.StatusAt(askAgain, rules).State);
    }

    [Fact]
    public void P5_RefusalMemoryEndingOnATimeReadTwice_EndsAtItsFirstReading()
    {
        var rules = new ConsentRules { RefusalMemoryMonths = 3 };
        _clock.SetUtcNow(DateTimeOffset.Parse("2027-07-31T02:30:00+02:00", CultureInfo.InvariantCulture));
        var consent = Open(statistics: false, rules: rules);
        Assert.Equal(DateTimeOffset.Parse("2027-10-31T00:30:00Z", CultureInfo.InvariantCulture), consent.StatusAt(_clock.GetUtcNow(), rules).AskAgainAt);
    }

    [Fact]
    public void P5_WhenNoPurposeIsRefused_AskAgainAtIsTheExpiry() =>
        Assert.Equal(Expiry, Open().StatusAt(Deposit, _rules).AskAgainAt);

    [Fact]
    public void P5_WithdrawingANamedPurpose_StopsItsUseAtOnce()
    {
        var consent = Open();
        var now = Deposit.AddDays(10);
        Assert.True(consent.Withdraw([ConsentPurpose.Statistics], now));
        Assert.False(consent.Allows(ConsentPurpose.Statistics, now));
        Assert.True(consent.Allows(ConsentPurpose.Personalisation, now));
        Assert.False(Of(consent.StatusAt(now, _rules), ConsentPurpose.Statistics).Effective);
        Assert.Equal(now, consent.Choices.Single(c => c.Purpose == ConsentPurpose.Statistics).DecidedAt);
        Assert.Equal(Expiry, consent.ExpiresAt);
    }

    [Fact]
    public void P5_WithdrawingWithoutNamingPurposes_RefusesEveryAskedPurpose()
    {
        var consent = Open();
        var now = Deposit.AddDays(10);
        Assert.True(consent.Withdraw(null, now));
        Assert.All(ConsentPurposes.Asked, p => Assert.False(consent.Allows(p, now)));
        Assert.True(consent.Withdraw([ConsentPurpose.Statistics], now) is false);
        Assert.False(consent.Withdraw([], now.AddSeconds(1)));
    }

    [Fact]
    public void P5_AfterExpiry_NoPurposeIsReportedGrantedOrEffective()
    {
        var consent = Open();
        var status = consent.StatusAt(Expiry, _rules);
        Assert.Equal(ConsentState.RenewalRequired, status.State);
        Assert.Equal(Expiry, status.AskAgainAt);
        Assert.All(status.Purposes, p =>
        {
            Assert.Null(p.Granted);
            Assert.False(p.Effective);
            Assert.Null(p.DecidedAt);
        });
    }

    [Fact]
    public void P5_BeforeExpiry_GrantedPurposesAreReportedEffective()
    {
        var status = Open(statistics: true, personalisation: false).StatusAt(Expiry.AddSeconds(-1), _rules);
        Assert.Equal((true, true), (Of(status, ConsentPurpose.Statistics).Granted, Of(status, ConsentPurpose.Statistics).Effective));
        Assert.Equal((false, false), (Of(status, ConsentPurpose.Personalisation).Granted, Of(status, ConsentPurpose.Personalisation).Effective));
    }

    [Fact]
    public void P5_AnEndedPeriod_IsOverAtOnce_AndEndsNoLaterThanItsExpiry()
    {
        var consent = Open();
        var endedAt = Deposit.AddMonths(1);
        consent.End(endedAt, ConsentEnd.Renewed);
        Assert.Equal(ConsentState.RenewalRequired, consent.StatusAt(endedAt, _rules).State);
        Assert.False(consent.Allows(ConsentPurpose.Statistics, endedAt));
        Assert.Equal(endedAt, consent.StatusAt(endedAt, _rules).AskAgainAt);

        var late = Open();
        late.End(Expiry.AddMonths(2), ConsentEnd.Expired);
        Assert.Equal(Expiry, late.EndedAt);
    }

    [Fact]
    public void P5_ADecisionAfterExpiry_IsRefused_ItOpensANewPeriod() =>
        Assert.Equal("CONSENT_PERIOD_OVER",
            Assert.Throws<RuleViolation>(() => Open().Decide(Answers(true, true), Expiry)).Code);

    [Fact]
    public void P5_StatusOfNoConsent_IsNeverAsked()
    {
        var status = ConsentStatus.For(null, null, Deposit, _rules);
        Assert.Equal(ConsentState.NeverAsked, status.State);
        Assert.All(status.Purposes, p => Assert.False(p.Effective));
    }

    [Fact]
    public void P5_OpeningWithoutVisitorOrUser_IsRefused()
    {
        var error = Assert.Throws<RuleViolation>(() => Consent.Open(null, null, Answers(true, true), Deposit, _rules));
        Assert.Equal(("VISITOR_REQUIRED", "visitorId"), (error.Code, error.Field));
    }

    [Fact]
    public void P5_OpeningForASignedInUserWithoutVisitor_IsAccepted() =>
        Assert.Equal(Expiry, Consent.Open(null, Guid.NewGuid(), Answers(true, true), Deposit, _rules).ExpiresAt);

    [Fact]
    public void P5_TheFirstDecisionMustAnswerEveryAskedPurpose()
    {
        var error = Assert.Throws<RuleViolation>(() =>
            Consent.Open(Guid.NewGuid(), null, [new(ConsentPurpose.Statistics, true)], Deposit, _rules));
        Assert.Equal(("MISSING_PURPOSE_DECISION", "choices"), (error.Code, error.Field));
        Assert.Equal("MISSING_PURPOSE_DECISION",
            Assert.Throws<RuleViolation>(() => Consent.Open(Guid.NewGuid(), null, [], Deposit, _rules)).Code);
    }

    [Fact]
    public void P5_NecessaryCookies_AreNeverAsked()
    {
        PurposeChoice[] choices = [.. Answers(true, true), new(ConsentPurpose.Necessary, true)];
        Assert.Equal("PURPOSE_NOT_ASKED",
            Assert.Throws<RuleViolation>(() => Consent.Open(Guid.NewGuid(), null, choices, Deposit, _rules)).Code);
        Assert.Equal("PURPOSE_NOT_ASKED",
            Assert.Throws<RuleViolation>(() => Open().Decide([new(ConsentPurpose.Necessary, false)], Deposit.AddDays(1))).Code);
    }

    [Fact]
    public void P5_APurposeAnsweredTwiceInOneDecision_IsRefused()
    {
        PurposeChoice[] choices = [.. Answers(true, true), new(ConsentPurpose.Statistics, false)];
        Assert.Equal("DUPLICATE_PURPOSE",
            Assert.Throws<RuleViolation>(() => Consent.Open(Guid.NewGuid(), null, choices, Deposit, _rules)).Code);
    }

    [Fact]
    public void P5_ValidityMonthsConfiguredAbove13_StillEndsTheConsentAt13Months()
    {
        var rules = new ConsentRules { ValidityMonths = 20 };
        var consent = Open(rules: rules);
        Assert.Equal(Expiry, consent.ExpiresAt);
        Assert.Equal(ConsentState.RenewalRequired, consent.StatusAt(Expiry, rules).State);
    }
}
