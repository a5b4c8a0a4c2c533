namespace Imail.Domain.Consents;

/// <summary>
/// The periods of P5, read from configuration (<c>Imail:Consents</c>): consent and cookies last
/// at most 13 months from the first deposit; a refusal keeps the banner away for 6 months.
/// </summary>
public sealed class ConsentRules
{
    public const string Section = "Imail:Consents";
    public const int MaxValidityMonths = 13;

    /// <summary>Months a consent lasts from its first deposit; never more than 13 (P5).</summary>
    public int ValidityMonths { get; set; } = MaxValidityMonths;

    /// <summary>Months the banner is not shown again after a refusal.</summary>
    public int RefusalMemoryMonths { get; set; } = 6;

    /// <summary>The wall clock months are counted on (IANA id).</summary>
    public string TimeZone { get; set; } = "Europe/Brussels";

    private TimeZoneInfo? _zone;
    public TimeZoneInfo Zone => _zone ??= TimeZoneInfo.FindSystemTimeZoneById(TimeZone);

    public DateTimeOffset ExpiryOf(DateTimeOffset firstDeposit) =>
        ConsentCalendar.AddMonths(firstDeposit, Math.Min(ValidityMonths, MaxValidityMonths), Zone);

    public DateTimeOffset RefusalRememberedUntil(DateTimeOffset refusedAt) =>
        ConsentCalendar.AddMonths(refusedAt, RefusalMemoryMonths, Zone);

    /// <summary>Instants are kept to the microsecond, PostgreSQL's precision, so a receipt reads back as written.</summary>
    public static DateTimeOffset Truncate(DateTimeOffset instant) =>
        new(instant.UtcTicks - instant.UtcTicks % 10, TimeSpan.Zero);
}
