using System.Globalization;
using Imail.Domain.Common;

namespace Imail.Domain.Users;

/// <summary>The languages Imail writes to people in. French is the policy's language and the default.</summary>
public enum Locale
{
    Fr,
    Nl,
    En,
}

public static class Locales
{
    public const Locale Default = Locale.Fr;

    /// <summary>
    /// Reads a BCP 47 tag as front-ends send it (<c>fr</c>, <c>nl-BE</c>, <c>en_GB</c>) and keeps
    /// its language; anything else is refused with <c>UNSUPPORTED_LOCALE</c>.
    /// </summary>
    public static Locale Parse(string? tag, string field = "locale")
    {
        if (string.IsNullOrWhiteSpace(tag)) return Default;
        var language = tag.Trim().Replace('_', '-').Split('-')[0].ToLowerInvariant();
        return language switch
        {
            "fr" => Locale.Fr,
            "nl" => Locale.Nl,
            "en" => Locale.En,
            _ => throw new RuleViolation("UNSUPPORTED_LOCALE",
                $"The locale {Excerpt.Quote(tag)} is not supported; use one of fr, nl, en.", field),
        };
    }

    public static CultureInfo Culture(this Locale locale) => locale switch
    {
        Locale.Nl => CultureInfo.GetCultureInfo("nl-BE"),
        Locale.En => CultureInfo.GetCultureInfo("en-GB"),
        _ => CultureInfo.GetCultureInfo("fr-BE"),
    };
}
