using Imail.Domain.Common;
using Imail.Domain.Outbox;
using Imail.Domain.Users;
using Imail.Worker.Email;
using Microsoft.Extensions.Configuration;

namespace Imail.Worker.Tests.Email;

/// <summary>
/// What every e-mail does whatever its wording: names the publisher, escapes what people typed,
/// greets without a name. The wording itself is in <see cref="EmailSnapshotTests"/>' snapshots.
/// </summary>
public class EmailTemplateTests
{
    private static EmailRenderer Renderer(Publisher? publisher = null) => TestEmails.Renderer(publisher);

    private static EmailPayload Payload(Locale locale, string? name = "Zoé") => TestEmails.Payload(locale, name);

    [Theory]
    [MemberData(nameof(TestEmails.EveryTemplateInEveryLocale), MemberType = typeof(TestEmails))]
    public void EveryEmail_NamesThePublisher_AndHowToReachItAboutPersonalData(string template, Locale locale)
    {
        var email = Renderer().Render(template, Payload(locale));

        Assert.False(string.IsNullOrWhiteSpace(email.Subject));
        foreach (var part in new[] { email.Text, email.Html })
        {
            Assert.Contains("Imail Solutions — CINQ-CINQ SPRL", part);
            Assert.Contains("1180 Uccle", part);
            Assert.Contains("privacy@imail.example", part);
            Assert.Contains("Zoé", part);
            Assert.DoesNotContain("{{", part);
            Assert.DoesNotContain("{%", part);
        }
        Assert.Contains($"<html lang=\"{locale.ToString().ToLowerInvariant()}\">", email.Html);
        Assert.Contains("\n-- \n", email.Text);
    }

    [Theory]
    [InlineData(Locale.Fr)]
    [InlineData(Locale.Nl)]
    [InlineData(Locale.En)]
    public void EmailChange_TellsBothAddressesWhatChanged(Locale locale)
    {
        foreach (var template in new[] { EmailTemplates.EmailChangedOldAddress, EmailTemplates.EmailChangedNewAddress })
        {
            var email = Renderer().Render(template, Payload(locale));
            Assert.Contains("zoe@old.example", email.Text);
            Assert.Contains("zoe@new.example", email.Text);
        }
    }

    [Fact]
    public void HtmlPart_EscapesWhatPeopleTyped_TextPartKeepsIt()
    {
        var email = Renderer().Render(EmailTemplates.SignUpConfirmation, Payload(Locale.En, "<script>alert(1)</script> & Co"));

        Assert.DoesNotContain("<script>", email.Html);
        Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; Co", email.Html);
        Assert.Contains("<script>alert(1)</script> & Co", email.Text);
    }

    [Theory]
    [MemberData(nameof(TestEmails.EveryTemplateInEveryLocale), MemberType = typeof(TestEmails))]
    public void WithoutADisplayName_TheGreetingStillReads(string template, Locale locale)
    {
        var email = Renderer().Render(template, Payload(locale, name: null));

        // "Bonjour," "Goedendag," "Hello,": one greeting, no gap where the name would have been.
        var greeting = email.Text[..email.Text.IndexOf('\n')];
        Assert.Matches(@"^\p{Lu}[\p{L}' ]*\p{L},$", greeting);
        Assert.DoesNotContain("  ", greeting);
        Assert.Contains($"<p>{greeting}</p>", email.Html);
    }

    [Fact]
    public void WithoutThePublishersDetails_NoEmailIsRendered()
    {
        var e = Assert.Throws<InvalidOperationException>(() =>
            Renderer(new Publisher { Name = "Imail" }).Render(EmailTemplates.SignUpConfirmation, Payload(Locale.Fr)));
        Assert.Contains("Imail:Publisher", e.Message);
    }

    [Fact]
    public void AnUnknownTemplate_IsRefused()
    {
        Assert.Throws<UnknownTemplateException>(() => Renderer().Render("no-such-template", Payload(Locale.Fr)));
    }

    [Fact]
    public void ThePublisherDefaults_AreConfiguration_InBothProcesses()
    {
        // Both processes (the worker, and the API hosting the worker) bind them through AddImailEmail.
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder(new Microsoft.Extensions.Hosting.HostApplicationBuilderSettings
        {
            DisableDefaults = true,
        });
        builder.AddImailEmail();
        var publisher = builder.Configuration.GetSection(Publisher.Section).Get<Publisher>()!;
        Assert.Equal(TestEmails.Publisher.Name, publisher.Name);
        Assert.Equal(TestEmails.Publisher.Address, publisher.Address);
        Assert.Contains("@", publisher.PrivacyContact);

        // And configuration above them wins.
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Imail:Publisher:Name"] = "Other" });
        Assert.Equal("Other", builder.Configuration["Imail:Publisher:Name"]);
    }
}
