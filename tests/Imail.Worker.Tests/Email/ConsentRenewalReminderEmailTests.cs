using Imail.Domain.Outbox;
using Imail.Domain.Users;
using Imail.Worker.Email;

namespace Imail.Worker.Tests.Email;

/// <summary>P5's renewal reminder: when the consent ended, in each language (its wording is in the snapshots).</summary>
public class ConsentRenewalReminderEmailTests
{
    private static readonly EmailRenderer Renderer = TestEmails.Renderer();

    private static EmailPayload Payload(Locale locale, string endedAt = "2027-12-27T04:17:00+01:00") =>
        TestEmails.Payload(locale, values: new Dictionary<string, string> { ["endedAt"] = endedAt });

    [Theory]
    [InlineData(Locale.Fr, "27 décembre 2027 à 04:17")]
    [InlineData(Locale.Nl, "27 december 2027 om 04:17")]
    [InlineData(Locale.En, "27 December 2027 at 04:17")]
    public void P5_TheReminderSaysWhenTheConsentEnded_InTheUsersLanguage(Locale locale, string ended)
    {
        var email = Renderer.Render(EmailTemplates.ConsentRenewalReminder, Payload(locale));

        Assert.Contains(ended, email.Text);
        Assert.Contains(ended, email.Html);
    }

    [Fact]
    public void P5_TheInstantIsReadAtTheOffsetItCarries_SummerTimeToo()
    {
        var email = Renderer.Render(EmailTemplates.ConsentRenewalReminder, Payload(Locale.Fr, "2027-07-05T09:30:00+02:00"));

        Assert.Contains("5 juillet 2027 à 09:30", email.Text);
    }
}
