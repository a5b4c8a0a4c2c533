using Imail.Domain.Common;
using Imail.Domain.Consents;
using Microsoft.Extensions.Time.Testing;

namespace Imail.Domain.Tests.Consents;

/// <summary>
/// P5: a cookie's lifetime ends within 13 months of its deposit, whatever the deposit date. The
/// shortest 13-month span is 393 days (31 January 2025 → 28 February 2026), and a 12-month
/// lifetime can add at most 28 days (31 January → 31 January → 28 February).
/// </summary>
public class CookieLifetimeTests
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 27, 10, 0, 0, TimeSpan.Zero));

    [Theory]
    [InlineData(0, 0, true)]
    [InlineData(13, 0, true)]
    [InlineData(13, 1, false)]
    [InlineData(14, 0, false)]
    [InlineData(12, 28, true)]
    [InlineData(12, 29, false)]
    [InlineData(12, 31, false)]
    [InlineData(1, 365, true)]
    [InlineData(1, 366, false)]
    [InlineData(0, 393, true)]
    [InlineData(0, 394, false)]
    [InlineData(0, 401, false)]
    public void P5_CookieLifetime_FitsOnlyWithin13MonthsFromEveryDepositDate(int months, int days, bool fits) =>
        Assert.Equal(fits, Cookie.LifetimeFits(months, days));

    [Fact]
    public void P5_ALifetimeOf393Days_EndsExactlyAt13MonthsFromTheShortestSpan()
    {
        var deposit = new DateTime(2025, 1, 31);
        Assert.Equal(deposit.AddMonths(13), deposit.AddDays(393));
    }

    [Fact]
    public void P5_DeclaringACookieLivingPast13Months_IsRefused() =>
        Assert.Equal("LIFETIME_TOO_LONG", Assert.Throws<RuleViolation>(() =>
            Cookie.Declare("imail_long", ConsentPurpose.Statistics, "Imail", "Too long.", 13, 1, _clock.GetUtcNow())).Code);

    [Fact]
    public void P5_DeclaringACookieLivingExactly13Months_IsAccepted() =>
        Assert.Equal(13, Cookie.Declare("imail_stats", ConsentPurpose.Statistics, "Imail", "Statistics.", 13, 0, _clock.GetUtcNow()).LifetimeMonths);

    [Fact]
    public void P5_UpdatingACookiesLifetimePast13Months_IsRefused()
    {
        var cookie = Cookie.Declare("imail_stats", ConsentPurpose.Statistics, "Imail", "Statistics.", 12, 0, _clock.GetUtcNow());
        Assert.Equal("LIFETIME_TOO_LONG",
            Assert.Throws<RuleViolation>(() => cookie.Update(null, null, null, null, null, 40, _clock.GetUtcNow())).Code);
        Assert.Equal((12, 0), (cookie.LifetimeMonths, cookie.LifetimeDays));
    }

    [Fact]
    public void P5_TheSeededRegistry_DeclaresNoCookieLivingPast13Months() =>
        Assert.All(Cookie.Seeds(), seed =>
        {
            var months = (int)seed.GetType().GetProperty("LifetimeMonths")!.GetValue(seed)!;
            var days = (int)seed.GetType().GetProperty("LifetimeDays")!.GetValue(seed)!;
            Assert.True(Cookie.LifetimeFits(months, days));
        });
}
