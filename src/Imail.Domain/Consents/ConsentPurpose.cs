namespace Imail.Domain.Consents;

/// <summary>What a cookie, or a use of navigation data, is for (P6).</summary>
public enum ConsentPurpose
{
    /// <summary>Strictly necessary (the session, remembering the banner choice): no consent asked.</summary>
    Necessary,

    /// <summary>Frequency of access, pages consulted, date and time, operations performed (P6).</summary>
    Statistics,

    /// <summary>Adapting the sites to the person's use of them (P6).</summary>
    Personalisation,
}

public static class ConsentPurposes
{
    /// <summary>The purposes a banner asks about; <see cref="ConsentPurpose.Necessary"/> is never asked.</summary>
    public static readonly IReadOnlyList<ConsentPurpose> Asked = [ConsentPurpose.Statistics, ConsentPurpose.Personalisation];

    /// <summary>The purposes a withdrawal names (all asked ones when none); strictly necessary cookies need no consent, so cannot be withdrawn.</summary>
    public static IReadOnlyCollection<ConsentPurpose>? Withdrawable(IReadOnlyCollection<ConsentPurpose>? purposes)
    {
        Common.Rule.Check(purposes?.Contains(ConsentPurpose.Necessary) != true, "PURPOSE_NOT_ASKED",
            "Strictly necessary cookies need no consent: NECESSARY cannot be withdrawn.", "purposes");
        return purposes;
    }

    /// <summary>Stable lower-case name, as written in receipts.</summary>
    public static string Code(this ConsentPurpose purpose) => purpose switch
    {
        ConsentPurpose.Necessary => "necessary",
        ConsentPurpose.Statistics => "statistics",
        ConsentPurpose.Personalisation => "personalisation",
        _ => throw new ArgumentOutOfRangeException(nameof(purpose)),
    };

    public static ConsentPurpose Parse(string code) =>
        Enum.GetValues<ConsentPurpose>().FirstOrDefault(p => p.Code() == code, (ConsentPurpose)(-1)) is var p && Enum.IsDefined(p)
            ? p
            : throw new FormatException($"Unknown consent purpose '{code}'.");
}
