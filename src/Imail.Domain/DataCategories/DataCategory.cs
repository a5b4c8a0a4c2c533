using System.Text.RegularExpressions;
using Imail.Domain.Common;

namespace Imail.Domain.DataCategories;

/// <summary>Whether the data identifies a person (P8 erasure applies) or is technical (P7).</summary>
public enum DataKind
{
    Personal,
    Technical,
}

/// <summary>GDPR art. 6 lawful bases.</summary>
public enum LegalBasis
{
    Consent,
    Contract,
    LegalObligation,
    VitalInterests,
    PublicTask,
    LegitimateInterests,
}

/// <summary>
/// One entry of the P2 registry: a kind of data Imail stores, why, on what legal basis and for
/// how long. Purge schedules read <see cref="Retention"/> from here, never from code.
/// </summary>
public sealed partial class DataCategory
{
    public const int MaxRetentionMonths = 120;

    private DataCategory() { }

    /// <summary>Stable key, referenced by code and by the columns that hold such data.</summary>
    public string Code { get; private set; } = "";
    public string Name { get; private set; } = "";
    public string Description { get; private set; } = "";
    public string Purpose { get; private set; } = "";
    public LegalBasis LegalBasis { get; private set; }
    public DataKind Kind { get; private set; }
    public int RetentionMonths { get; private set; }
    public int RetentionDays { get; private set; }

    /// <summary>What the retention period counts from, in words (e.g. "the last authentication").</summary>
    public string RetentionStartsFrom { get; private set; } = "";

    /// <summary>Seeded categories the software itself refers to: they cannot be deleted or re-keyed.</summary>
    public bool IsSystem { get; private set; }
    public DateTimeOffset UpdatedAt { get; private set; }

    public RetentionPeriod Retention => new(RetentionMonths, RetentionDays);

    public static DataCategory Create(string code, DataCategoryDetails details, DateTimeOffset now)
    {
        var category = new DataCategory { Code = CheckCode(code), IsSystem = false };
        category.Apply(details, now);
        return category;
    }

    /// <summary>A category code's shape: checked before any lookup by code, too.</summary>
    public static string CheckCode(string? code)
    {
        Rule.Check(code is not null && CodeShape().IsMatch(code), "INVALID_CODE",
            "A category code has 2 to 50 characters: lower-case letters, digits and '_', starting with a letter.", "code");
        return code!;
    }

    public static bool IsCode(string? code) => code is not null && CodeShape().IsMatch(code);

    public void Update(DataCategoryDetails details, DateTimeOffset now) => Apply(details, now);

    public void CheckCanBeDeleted() =>
        Rule.Check(!IsSystem, "SYSTEM_CATEGORY",
            $"The category '{Code}' is used by the software itself (purge schedules, erasure); it can be edited, not deleted.");

    private void Apply(DataCategoryDetails d, DateTimeOffset now)
    {
        Name = Common.Text.CheckName(d.Name, 100, "INVALID_TEXT", "name", "'name'");
        Description = Common.Text.CheckFreeText(d.Description, 2000, required: false, "INVALID_TEXT", "description", "'description'");
        Purpose = Common.Text.CheckFreeText(d.Purpose, 1000, required: true, "INVALID_TEXT", "purpose", "'purpose'");
        RetentionStartsFrom = Common.Text.CheckFreeText(d.RetentionStartsFrom, 200, required: false, "INVALID_TEXT", "retentionStartsFrom", "'retentionStartsFrom'");
        LegalBasis = d.LegalBasis;
        Kind = d.Kind;
        Rule.Check(d.RetentionMonths >= 0 && d.RetentionDays >= 0 && d.RetentionMonths + d.RetentionDays > 0
                   && d.RetentionMonths <= MaxRetentionMonths && d.RetentionDays <= 3660,
            "INVALID_RETENTION",
            $"A retention period is positive and at most {MaxRetentionMonths} months (months and days are not negative).",
            "retention");
        RetentionMonths = d.RetentionMonths;
        RetentionDays = d.RetentionDays;
        UpdatedAt = now;
    }

    [GeneratedRegex("^[a-z][a-z0-9_]{1,49}$")]
    private static partial Regex CodeShape();

    internal static DataCategory Seed(string code, DataCategoryDetails d) => new()
    {
        Code = code,
        Name = d.Name,
        Description = d.Description,
        Purpose = d.Purpose,
        LegalBasis = d.LegalBasis,
        Kind = d.Kind,
        RetentionMonths = d.RetentionMonths,
        RetentionDays = d.RetentionDays,
        RetentionStartsFrom = d.RetentionStartsFrom,
        IsSystem = true,
        UpdatedAt = new DateTimeOffset(2026, 11, 27, 0, 0, 0, TimeSpan.Zero),
    };
}

public sealed record DataCategoryDetails(
    string Name,
    string Description,
    string Purpose,
    LegalBasis LegalBasis,
    DataKind Kind,
    int RetentionMonths,
    int RetentionDays,
    string RetentionStartsFrom);

/// <summary>A calendar period: months then days, so "13 months" stays 13 months across month ends.</summary>
public readonly record struct RetentionPeriod(int Months, int Days)
{
    public DateTimeOffset After(DateTimeOffset start) => start.AddMonths(Months).AddDays(Days);
    public DateTimeOffset Before(DateTimeOffset end) => end.AddMonths(-Months).AddDays(-Days);

    /// <summary>ISO 8601 duration, e.g. <c>P13M</c>, <c>P3Y30D</c>.</summary>
    public string Iso8601 =>
        "P" + (Months / 12 > 0 ? $"{Months / 12}Y" : "") + (Months % 12 > 0 ? $"{Months % 12}M" : "") + (Days > 0 ? $"{Days}D" : "");
}
