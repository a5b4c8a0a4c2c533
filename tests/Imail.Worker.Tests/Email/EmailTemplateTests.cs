using Imail.Domain.Outbox;
using Imail.Domain.Users;
using Imail.Worker.Email;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace Imail.Worker.Tests.Email;

public class EmailTemplateTests
{
    private static readonly PublisherOptions Publisher = new()
    {
        Name = "Imail Solutions — CINQ-CINQ SPRL",
        Address = "842, chaussée d'Alsemberg, 1180 Uccle, Belgique",
        PrivacyContact = "privacy@imail.example",
    };

    private static EmailRenderer Renderer(PublisherOptions? publisher = null) => new(new StaticMonitor<PublisherOptions>(publisher ?? Publisher));

    private static EmailPayload Payload(Locale locale, string? name = "Zoé") =>
        new("zoe@example.org", name, locale, new Dictionary<string, string> { ["oldEmail"] = "zoe@old.example", ["newEmail"] = "zoe@new.example" });

    public static TheoryData<string, Locale> Every()
    {
        var data = new TheoryData<string, Locale>();
        foreach (var template in EmailTemplates.All)
        foreach (var locale in Enum.GetValues<Locale>())
            data.Add(template, locale);
        return data;
    }

    [Theory]
    [MemberData(nameof(Every))]
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
    [InlineData(Locale.Fr, "Bienvenue sur Imail", "Ce que nous conservons")]
    [InlineData(Locale.Nl, "Welkom bij Imail", "Wat we bewaren")]
    [InlineData(Locale.En, "Welcome to Imail", "What we keep")]
    public void SignUpConfirmation_IsWrittenInTheUsersLanguage_AndSaysWhatIsKeptAndWhy(Locale locale, string subject, string kept)
    {
        var email = Renderer().Render(EmailTemplates.SignUpConfirmation, Payload(locale));

        Assert.Equal(subject, email.Subject);
        Assert.Contains(kept, email.Text);
        Assert.Contains("zoe@example.org", email.Text);
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
        Assert.Contains("Hello <script>alert(1)</script> & Co,", email.Text);
    }

    [Fact]
    public void WithoutADisplayName_TheGreetingStillReads()
    {
        Assert.StartsWith("Bonjour,\n", Renderer().Render(EmailTemplates.SignUpConfirmation, Payload(Locale.Fr, name: null)).Text);
    }

    [Fact]
    public void WithoutThePublishersDetails_NoEmailIsRendered()
    {
        var e = Assert.Throws<InvalidOperationException>(() =>
            Renderer(new PublisherOptions { Name = "Imail" }).Render(EmailTemplates.SignUpConfirmation, Payload(Locale.Fr)));
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
        var publisher = builder.Configuration.GetSection(PublisherOptions.Section).Get<PublisherOptions>()!;
        Assert.Equal(Publisher.Name, publisher.Name);
        Assert.Equal(Publisher.Address, publisher.Address);
        Assert.Contains("@", publisher.PrivacyContact);

        // And configuration above them wins.
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Imail:Publisher:Name"] = "Other" });
        Assert.Equal("Other", builder.Configuration["Imail:Publisher:Name"]);
    }

    private sealed class StaticMonitor<T>(T value) : IOptionsMonitor<T>
    {
        public T CurrentValue => value;
        public T Get(string? name) => value;
        public IDisposable? OnChange(Action<T, string?> listener) => null;
    }
}
