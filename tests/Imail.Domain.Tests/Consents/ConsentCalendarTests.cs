using System.Globalization;
using Imail.Domain.Consents;

namespace Imail.Domain.Tests.Consents;

/// <summary>P5: "13 months from the first deposit" on the Europe/Brussels wall clock.</summary>
public class ConsentCalendarTests
{
    private static readonly ConsentRules Rules = new();

    private static DateTimeOffset At(string instant) => DateTimeOffset.Parse(instant, CultureInfo.InvariantCulture);

    [Theory]
    [InlineData("2026-01-31T10:00:00+01:00", "2027-02-28T10:00:00+01:00")]
    [InlineData("2027-01-31T10:00:00+01:00", "2028-02-29T10:00:00+01:00")]
    [InlineData("2028-02-29T10:00:00+01:00", "2029-03-29T10:00:00+02:00")]
    [InlineData("2026-05-31T10:00:00+02:00", "2027-06-30T10:00:00+02:00")]
    [InlineData("2026-07-15T09:30:15+02:00", "2027-08-15T09:30:15+02:00")]
    public void P5_ConsentExpires13MonthsAfterFirstDeposit_ClampingToTheMonthsLastDay(string deposit, string expiry) =>
        Assert.Equal(At(expiry), Rules.ExpiryOf(At(deposit)));

    [Theory]
    [InlineData("2026-02-15T11:00:00Z", "2027-03-15T11:00:00Z")]
    [InlineData("2026-03-15T11:00:00Z", "2027-04-15T10:00:00Z")]
    [InlineData("2026-09-15T10:00:00Z", "2027-10-15T10:00:00Z")]
    [InlineData("2026-10-15T10:00:00Z", "2027-11-15T11:00:00Z")]
    public void P5_ExpiryKeepsTheLocalTimeOfDepositAcrossDaylightSaving(string deposit, string expiry)
    {
        var expiresAt = Rules.ExpiryOf(At(deposit));
        Assert.Equal(At(expiry), expiresAt);
        Assert.Equal(TimeZoneInfo.ConvertTime(At(deposit), Rules.Zone).TimeOfDay, TimeZoneInfo.ConvertTime(expiresAt, Rules.Zone).TimeOfDay);
    }

    [Fact]
    public void P5_DepositInMarchCET_ExpiresAt12CEST_NotAnHourLater()
    {
        var expiresAt = Rules.ExpiryOf(At("2026-03-15T12:00:00+01:00"));
        Assert.Equal(At("2027-04-15T10:00:00Z"), expiresAt);
        Assert.NotEqual(At("2027-04-15T11:00:00Z"), expiresAt);
    }

    [Fact]
    public void P5_ExpiryOnAWallClockTimeSkippedBySpringForward_EndsAtTheJump()
    {
        // 28 February 2026 02:30 CET + 13 months = 28 March 2027 02:30, which the clock skips (02:00 → 03:00).
        var expiresAt = Rules.ExpiryOf(At("2026-02-28T02:30:00+01:00"));
        Assert.Equal(At("2027-03-28T01:00:00Z"), expiresAt);
        Assert.Equal(new DateTime(2027, 3, 28, 3, 0, 0), TimeZoneInfo.ConvertTime(expiresAt, Rules.Zone).DateTime);
        Assert.Equal(new DateTime(2027, 3, 28, 1, 59, 59), TimeZoneInfo.ConvertTime(expiresAt.AddSeconds(-1), Rules.Zone).DateTime);
    }

    [Fact]
    public void P5_ExpiryOnAWallClockTimeReadTwiceInAutumn_EndsAtItsFirstReading()
    {
        // 25 September 2025 02:30 CEST + 13 months = 25 October 2026 02:30, read at 00:30Z and again at 01:30Z.
        var expiresAt = Rules.ExpiryOf(At("2025-09-25T02:30:00+02:00"));
        Assert.Equal(At("2026-10-25T00:30:00Z"), expiresAt);
        Assert.Equal(TimeSpan.FromHours(2), TimeZoneInfo.ConvertTime(expiresAt, Rules.Zone).Offset);
    }

    [Fact]
    public void P5_AddMonths_ToTheTimeReadTwiceOn31October2027_EndsAtItsFirstReading()
    {
        var end = ConsentCalendar.AddMonths(At("2027-07-31T02:30:00+02:00"), 3, Rules.Zone);
        Assert.Equal(At("2027-10-31T00:30:00Z"), end);
        Assert.Equal(At("2027-10-31T02:30:00+02:00"), TimeZoneInfo.ConvertTime(end, Rules.Zone));
        Assert.Equal(TimeSpan.FromHours(2), TimeZoneInfo.ConvertTime(end, Rules.Zone).Offset);
    }

    [Fact]
    public void P5_FirstInstantReading_ASkippedTime_IsTheJumpInstant_ToTheTick() =>
        Assert.Equal(At("2027-03-28T01:00:00Z"), ConsentCalendar.FirstInstantReading(new DateTime(2027, 3, 28, 2, 30, 0), Rules.Zone));

    [Fact]
    public void P5_DepositDuringTheSecondReadingOfTheAutumnHour_KeepsItsWallClockTime()
    {
        // 25 October 2026 02:30 CET (second reading, 01:30Z) → 25 November 2027 02:30 CET.
        var expiresAt = Rules.ExpiryOf(At("2026-10-25T01:30:00Z"));
        Assert.Equal(At("2027-11-25T02:30:00+01:00"), expiresAt);
    }

    [Fact]
    public void P5_ValidityMonthsAbove13_IsCappedAt13()
    {
        var deposit = At("2026-01-31T10:00:00+01:00");
        Assert.Equal(At("2027-02-28T10:00:00+01:00"), new ConsentRules { ValidityMonths = 20 }.ExpiryOf(deposit));
    }

    [Fact]
    public void P5_ValidityMonthsBelow13_IsHonoured() =>
        Assert.Equal(At("2026-07-31T10:00:00+02:00"),
            new ConsentRules { ValidityMonths = 6 }.ExpiryOf(At("2026-01-31T10:00:00+01:00")));

    [Fact]
    public void P5_ExpiryDoesNotDependOnTheOffsetTheDepositIsExpressedIn()
    {
        var utc = At("2026-03-15T11:00:00Z");
        Assert.Equal(Rules.ExpiryOf(utc), Rules.ExpiryOf(utc.ToOffset(TimeSpan.FromHours(-7))));
        Assert.Equal(Rules.ExpiryOf(utc), Rules.ExpiryOf(utc.ToOffset(TimeSpan.FromHours(9))));
    }

    [Fact]
    public void P5_SubSecondPrecisionOfTheDeposit_IsKeptInTheExpiry()
    {
        var deposit = At("2026-01-31T10:00:00+01:00").AddTicks(1234567);
        Assert.Equal(At("2027-02-28T10:00:00+01:00").AddTicks(1234567), Rules.ExpiryOf(deposit));
    }

    [Fact]
    public void P5_RefusalIsRememberedFor6Months_OnTheSameCalendarRule() =>
        Assert.Equal(At("2026-09-30T10:00:00+02:00"), Rules.RefusalRememberedUntil(At("2026-03-31T10:00:00+02:00")));
}
