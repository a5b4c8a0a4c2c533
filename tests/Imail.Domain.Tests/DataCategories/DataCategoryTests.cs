using Imail.Domain.Common;
using Imail.Domain.DataCategories;
using Microsoft.Extensions.Time.Testing;

namespace Imail.Domain.Tests.DataCategories;

public class DataCategoryTests
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 27, 10, 0, 0, TimeSpan.Zero));

    private static DataCategoryDetails Details(int months = 12, int days = 0, string name = "Newsletter") =>
        new(name, "", "Send the newsletter.", LegalBasis.Consent, DataKind.Personal, months, days, "");

    [Theory]
    [InlineData("a")]
    [InlineData("Upper")]
    [InlineData("1starts_with_digit")]
    [InlineData("has-dash")]
    [InlineData("")]
    public void Create_WithABadCode_IsRefused(string code) =>
        Assert.Equal("INVALID_CODE", Assert.Throws<RuleViolation>(() => DataCategory.Create(code, Details(), _clock.GetUtcNow())).Code);

    [Theory]
    [InlineData(0, 0)]
    [InlineData(-1, 40)]
    [InlineData(121, 0)]
    [InlineData(0, -3)]
    public void Create_WithANonPositiveOrTooLongRetention_IsRefused(int months, int days) =>
        Assert.Equal("INVALID_RETENTION",
            Assert.Throws<RuleViolation>(() => DataCategory.Create("newsletter", Details(months, days), _clock.GetUtcNow())).Code);

    [Fact]
    public void Create_WithoutAName_IsRefused() =>
        Assert.Equal(("INVALID_TEXT", "name"),
            Assert.Throws<RuleViolation>(() => DataCategory.Create("newsletter", Details(name: "  "), _clock.GetUtcNow())) is var e ? (e.Code, e.Field) : default);

    [Fact]
    public void UserCreatedCategories_CanBeDeleted_SystemOnesCannot()
    {
        DataCategory.Create("newsletter", Details(), _clock.GetUtcNow()).CheckCanBeDeleted();
        var system = DataCategoryCodes.Seeds().First();
        Assert.Equal("SYSTEM_CATEGORY", Assert.Throws<RuleViolation>(system.CheckCanBeDeleted).Code);
    }

    [Theory]
    [InlineData(13, 0, "P1Y1M")]
    [InlineData(36, 0, "P3Y")]
    [InlineData(0, 30, "P30D")]
    [InlineData(1, 15, "P1M15D")]
    public void Retention_IsWrittenAsAnIso8601Duration(int months, int days, string iso) =>
        Assert.Equal(iso, new RetentionPeriod(months, days).Iso8601);

    [Fact]
    public void Retention_CountsCalendarMonths_AcrossMonthEndsAndLeapYears()
    {
        // 31 January + 1 month is the last day of February, in a leap year the 29th.
        Assert.Equal(new DateTimeOffset(2028, 2, 29, 0, 0, 0, TimeSpan.Zero),
            new RetentionPeriod(1, 0).After(new DateTimeOffset(2028, 1, 31, 0, 0, 0, TimeSpan.Zero)));
        Assert.Equal(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero),
            new RetentionPeriod(13, 0).Before(new DateTimeOffset(2027, 2, 1, 0, 0, 0, TimeSpan.Zero)));
    }

    [Fact]
    public void Seeds_CoverEveryCategoryTheSoftwareRefersTo()
    {
        var seeded = DataCategoryCodes.Seeds().Select(c => c.Code).ToHashSet();
        var referenced = typeof(DataCategoryCodes).GetFields()
            .Where(f => f.IsLiteral && (string)f.GetRawConstantValue()! != DataCategoryCodes.NotPersonal)
            .Select(f => (string)f.GetRawConstantValue()!);
        Assert.Empty(referenced.Except(seeded));
        Assert.All(DataCategoryCodes.Seeds(), c => Assert.True(c.IsSystem && c.RetentionMonths + c.RetentionDays > 0));
    }
}
