using Imail.Domain.Outbox;
using Imail.Domain.Users;
using Imail.Worker.Email;
using Microsoft.Extensions.Options;

namespace Imail.Worker.Tests.Email;

/// <summary>P5's renewal reminder as people read it, in each language.</summary>
public class ConsentRenewalReminderEmailTests
{
    private static EmailRenderer Renderer() => new(new FixedPublisher());

    private static EmailPayload Payload(Locale locale, string endedAt = "2027-12-27T04:17:00+01:00") =>
        new("zoe@example.org", "Zoé", locale, new Dictionary<string, string> { ["endedAt"] = endedAt });

    [Theory]
    [InlineData(Locale.Fr, "Vos choix de cookies sur Imail ont expiré", "27 décembre 2027 à 04:17 (heure de Bruxelles)", "prochaine visite")]
    [InlineData(Locale.Nl, "Uw cookiekeuzes op Imail zijn verlopen", "27 december 2027 om 04:17 (Brusselse tijd)", "volgende bezoek")]
    [InlineData(Locale.En, "Your cookie choices on Imail have expired", "27 December 2027 at 04:17 (Brussels time)", "next visit")]
    public void P5_TheReminderSaysWhenTheConsentEnded_AndThatThePersonWillBeAskedAgain(Locale locale, string subject, string ended, string nextVisit)
    {
        var email = Renderer().Render(EmailTemplates.ConsentRenewalReminder, Payload(locale));

        Assert.Equal(subject, email.Subject);
        foreach (var part in new[] { email.Text, email.Html })
        {
            Assert.Contains(ended, part);
            Assert.Contains(nextVisit, part);
            Assert.Contains("Zoé", part);
            Assert.Contains("Imail Solutions — CINQ-CINQ SPRL", part);
            Assert.Contains("privacy@imail.example", part);
        }
    }

    [Fact]
    public void P5_TheInstantIsReadAtTheOffsetItCarries_SummerTimeToo()
    {
        var email = Renderer().Render(EmailTemplates.ConsentRenewalReminder, Payload(Locale.Fr, "2027-07-05T09:30:00+02:00"));

        Assert.Contains("pris fin le 5 juillet 2027 à 09:30 (heure de Bruxelles)", email.Text);
    }

    private sealed class FixedPublisher : IOptionsMonitor<PublisherOptions>
    {
        public PublisherOptions CurrentValue { get; } = new()
        {
            Name = "Imail Solutions — CINQ-CINQ SPRL",
            Address = "842, chaussée d'Alsemberg, 1180 Uccle, Belgique",
            PrivacyContact = "privacy@imail.example",
        };

        public PublisherOptions Get(string? name) => CurrentValue;
        public IDisposable? OnChange(Action<PublisherOptions, string?> listener) => null;
    }
}
