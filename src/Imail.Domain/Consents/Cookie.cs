using Imail.Domain.Common;

namespace Imail.Domain.Consents;

/// <summary>
/// A cookie the sites deposit, in the public registry (P5): name, purpose, provider, lifetime.
/// A lifetime may not run past 13 months from the deposit, whatever the deposit's date.
/// </summary>
public sealed class Cookie
{
    public const int NameMaxLength = 100;
    public const int ProviderMaxLength = 100;
    public const int DescriptionMaxLength = 1000;

    private Cookie() { }

    public Guid Id { get; private set; }
    public string Name { get; private set; } = "";
    public ConsentPurpose Purpose { get; private set; }
    public string Provider { get; private set; } = "";
    public string Description { get; private set; } = "";

    /// <summary>Lifetime from the deposit, months then days; 0 and 0 is a session cookie.</summary>
    public int LifetimeMonths { get; private set; }

    public int LifetimeDays { get; private set; }
    public DateTimeOffset CreatedAt { get; private set; }
    public DateTimeOffset UpdatedAt { get; private set; }

    private static readonly Guid[] SystemIds =
        [Guid.Parse("019ac8a0-0000-7000-8000-000000000001"), Guid.Parse("019ac8a0-0000-7000-8000-000000000002")];

    /// <summary>The consent and session cookies the software itself deposits: editable, never removed.</summary>
    public bool IsSystem => SystemIds.Contains(Id);

    public void CheckRemovable() => Rule.Check(!IsSystem, "SYSTEM_COOKIE",
        $"'{Name}' is deposited by Imail itself (consent or session): it can be edited, not removed from the registry.", "name");

    public static Cookie Declare(string name, ConsentPurpose purpose, string provider, string description,
        int lifetimeMonths, int lifetimeDays, DateTimeOffset now)
    {
        var cookie = new Cookie { Id = Ids.New(now), CreatedAt = now };
        cookie.Set(name, purpose, provider, description, lifetimeMonths, lifetimeDays, now);
        return cookie;
    }

    public void Update(string? name, ConsentPurpose? purpose, string? provider, string? description,
        int? lifetimeMonths, int? lifetimeDays, DateTimeOffset now) =>
        Set(name ?? Name, purpose ?? Purpose, provider ?? Provider, description ?? Description,
            lifetimeMonths ?? LifetimeMonths, lifetimeDays ?? LifetimeDays, now);

    /// <summary>A cookie name as RFC 6265 allows it (a token): checked before any lookup by name, too.</summary>
    public static string CheckName(string? raw, string field = "name")
    {
        var name = raw?.Trim() ?? "";
        Rule.Check(name.Length is > 0 and <= NameMaxLength && name.All(c => c > ' ' && c < 127 && !"()<>@,;:\\\"/[]?={}".Contains(c)),
            "INVALID_COOKIE_NAME", $"A cookie name has 1 to {NameMaxLength} characters allowed in a cookie name (RFC 6265 token).", field);
        return name;
    }

    private void Set(string name, ConsentPurpose purpose, string provider, string description, int months, int days, DateTimeOffset now)
    {
        name = CheckName(name);
        Rule.Check(Enum.IsDefined(purpose), "INVALID_PURPOSE", "Unknown purpose.", "purpose");
        provider = Text.CheckName(provider, ProviderMaxLength, "INVALID_PROVIDER", "provider", "The provider");
        description = Text.CheckFreeText(description, DescriptionMaxLength, required: true, "INVALID_DESCRIPTION", "description", "The description");
        Rule.Check(months >= 0 && days >= 0, "INVALID_LIFETIME", "A lifetime is not negative.", "lifetimeMonths");
        Rule.Check(LifetimeFits(months, days), "LIFETIME_TOO_LONG",
            $"A cookie may live at most {ConsentRules.MaxValidityMonths} months from its first deposit (P5): {months} months and {days} days run past that from some deposit dates.",
            "lifetimeMonths");
        (Name, Purpose, Provider, Description, LifetimeMonths, LifetimeDays, UpdatedAt) = (name, purpose, provider, description, months, days, now);
    }

    /// <summary>
    /// Whether "months then days" ends within 13 months from every possible deposit date: tried on
    /// every day of a four-year cycle, so month ends and 29 February are covered.
    /// </summary>
    public static bool LifetimeFits(int months, int days)
    {
        if (months > ConsentRules.MaxValidityMonths || days > 400) return false;
        var start = new DateTime(2024, 1, 1);
        for (var day = 0; day < 1461; day++)
        {
            var deposit = start.AddDays(day);
            if (deposit.AddMonths(months).AddDays(days) > deposit.AddMonths(ConsentRules.MaxValidityMonths)) return false;
        }
        return true;
    }

    /// <summary>The registry's cookies on a fresh installation (fixed ids: migration seed data).</summary>
    public static IEnumerable<object> Seeds()
    {
        var at = new DateTimeOffset(2026, 11, 28, 0, 0, 0, TimeSpan.Zero);
        object Seed(string id, string name, ConsentPurpose purpose, string description, int months) => new
        {
            Id = Guid.Parse(id),
            Name = name,
            Purpose = purpose,
            Provider = "Imail Solutions (CINQ-CINQ SPRL)",
            Description = description,
            LifetimeMonths = months,
            LifetimeDays = 0,
            CreatedAt = at,
            UpdatedAt = at,
        };
        yield return Seed("019ac8a0-0000-7000-8000-000000000001", "imail_consent", ConsentPurpose.Necessary,
            "Retient l'identifiant de visiteur et les choix faits dans le bandeau ; expire 13 mois après son premier dépôt, sans prolongation.", 13);
        yield return Seed("019ac8a0-0000-7000-8000-000000000002", "imail_session", ConsentPurpose.Necessary,
            "Maintient la session de l'Utilisateur connecté ; supprimé à la fermeture du navigateur.", 0);
        yield return Seed("019ac8a0-0000-7000-8000-000000000003", "imail_stats", ConsentPurpose.Statistics,
            "Mesure la fréquence d'accès et les pages consultées, seulement avec le consentement statistique.", 13);
    }
}
