using Imail.Domain.Common;
using Imail.Domain.Outbox;
using Imail.Domain.Users;
using Imail.Worker.Email;
using Microsoft.Extensions.Options;

namespace Imail.Worker.Tests.Email;

/// <summary>The real renderer with fixed publisher values, and a recipient whose e-mails the tests read.</summary>
internal static class TestEmails
{
    public static readonly Publisher Publisher = new()
    {
        Name = "Imail Solutions — CINQ-CINQ SPRL",
        Address = "842, chaussée d'Alsemberg, 1180 Uccle, Belgique",
        PrivacyContact = "privacy@imail.example",
    };

    /// <summary>Every value a template reads, fixed (written as the API and the jobs write them).</summary>
    public static readonly IReadOnlyDictionary<string, string> Values = new Dictionary<string, string>
    {
        ["oldEmail"] = "zoe@old.example",
        ["newEmail"] = "zoe@new.example",
        ["code"] = "K7QM-4XHT-9PRW-2DNB",
        ["expiresAt"] = "2027-12-28 03:17 UTC",
        ["endedAt"] = "2027-12-27T04:17:00+01:00",
        ["erasedAt"] = "2027-12-28 03:17 UTC",
        ["reason"] = "SelfService",
        ["codeExpiresAt"] = "2027-12-29T04:17:00+01:00",
        ["receivedAt"] = "2028-01-31T10:05:00+01:00",
        ["dueAt"] = "2028-02-29T10:05:00+01:00",
        ["extensionReason"] = "We received many requests this month.",
        ["lastSignIn"] = "2024-11-27T10:07:00+01:00",
        ["deadline"] = "2027-12-27T10:07:00+01:00",
        ["number"] = "2.0",
        ["effectiveAt"] = "2028-01-15T00:00:00+01:00",
        ["summary"] = "Connected accounts may share your followers count.",
        ["lowersPrivacy"] = "true",
        ["incidentSummary"] = "A backup copy of the accounts table was readable from the Internet for two days.",
        ["awareAt"] = "2027-12-27T04:17:00+01:00",
        ["declaredAt"] = "2027-12-28T10:05:00+01:00",
        ["severity"] = "High",
        ["categories"] = "contact,identity,navigation,custom_category",
        ["updateKind"] = "Findings",
        ["updateText"] = "The copy was left on a test server by mistake.",
    };

    /// <summary>Theory data: every template in every language.</summary>
    public static TheoryData<string, Locale> EveryTemplateInEveryLocale()
    {
        var data = new TheoryData<string, Locale>();
        foreach (var template in EmailTemplates.All)
            foreach (var locale in Enum.GetValues<Locale>())
                data.Add(template, locale);
        return data;
    }

    public static EmailRenderer Renderer(Publisher? publisher = null) => new(new StaticMonitor<Publisher>(publisher ?? Publisher));

    public static EmailPayload Payload(Locale locale, string? name = "Zoé", IReadOnlyDictionary<string, string>? values = null) =>
        new("zoe@example.org", name, locale, values ?? Values);

    private sealed class StaticMonitor<T>(T value) : IOptionsMonitor<T>
    {
        public T CurrentValue => value;
        public T Get(string? name) => value;
        public IDisposable? OnChange(Action<T, string?> listener) => null;
    }
}
