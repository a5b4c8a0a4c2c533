using Imail.Domain.Outbox;
using Imail.Testing;
using Imail.Worker.Tests.Relay;
using Microsoft.EntityFrameworkCore;
using MimeKit;

namespace Imail.Worker.Tests.Email;

/// <summary>The API host with the worker's jobs in-process (as <c>./imail run</c>), its own appsettings.json, and a real SMTP server.</summary>
public sealed class InProcessWorkerApi : ImailApiFactory
{
    public SmtpTestServer Smtp { get; private set; } = null!;

    protected override IDictionary<string, string?> Settings =>
        RelayFixture.Merge(Smtp.Settings, new Dictionary<string, string?> { ["Imail:Worker:InProcess"] = "true" });

    public override async Task InitializeAsync()
    {
        Smtp = await SmtpTestServer.StartAsync();
        await base.InitializeAsync();
        _ = Services; // start the host, and with it the relay
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await Smtp.DisposeAsync();
    }
}

public class SignUpEmailTests(InProcessWorkerApi api) : IClassFixture<InProcessWorkerApi>
{
    private const string SignUp = """
        mutation($email: String!, $locale: String) {
          signUp(input: { email: $email, displayName: "Zoé Peeters", locale: $locale }) { user { id } errors { code } }
        }
        """;

    [Theory]
    [InlineData("fr-BE", "fr", "Bienvenue sur Imail", "Ce que nous conservons")]
    [InlineData("nl-BE", "nl", "Welkom bij Imail", "Wat we bewaren")]
    [InlineData("en", "en", "Welcome to Imail", "What we keep")]
    public async Task SigningUp_SendsTheConfirmation_InTheUsersLanguage_WithAStableMessageId(string tag, string language, string subject, string kept)
    {
        var address = $"zoe-{Guid.NewGuid():N}@example.org";
        var userId = Guid.Parse((string)(await api.GraphQLAsync(SignUp, new { email = address, locale = tag })).DataOrFail()["signUp"]!["user"]!["id"]!);

        var email = await api.Smtp.WaitForAsync(e => e.To.Contains(address));
        var row = await api.ExecuteDbAsync(db => db.OutboxMessages.AsNoTracking().SingleAsync(m => m.UserId == userId));
        var message = email.Message;

        Assert.Equal($"{row.Id}@imail.example", message.MessageId);
        Assert.Contains($"Message-Id: <{row.Id}@imail.example>", email.RawText, StringComparison.OrdinalIgnoreCase);
        Assert.Equal("no-reply@imail.example", email.From);
        Assert.Equal("Imail", ((MailboxAddress)message.From.Single()).Name);
        Assert.Equal(("Zoé Peeters", address), (((MailboxAddress)message.To.Single()).Name, ((MailboxAddress)message.To.Single()).Address));
        Assert.Equal(subject, message.Subject);
        Assert.Equal(row.CreatedAt.ToUnixTimeSeconds(), message.Date.ToUnixTimeSeconds());
        Assert.Contains($"\nContent-Language: {language}\r\n", email.RawText);
        Assert.Equal("auto-generated", message.Headers["Auto-Submitted"]);
        Assert.Equal("multipart/alternative", message.Body!.ContentType.MimeType);
        Assert.Contains(kept, message.TextBody);
        // P1, from the API's appsettings.json: who speaks, and how to reach them about personal data.
        foreach (var part in new[] { message.TextBody, message.HtmlBody })
        {
            Assert.Contains("Imail Solutions — CINQ-CINQ SPRL", part);
            Assert.Contains("1180 Uccle, Belgique", part);
            Assert.Contains("privacy@imail.example", part);
        }
        Assert.Contains("842, chaussée d'Alsemberg", message.TextBody);
        var delivered = await OutboxProbe.WaitForRowAsync(api.ConnectionString, row.Id, m => m.State == OutboxState.Delivered, "recorded delivered");
        Assert.Equal(1, delivered.Attempts);
    }

    [Fact]
    public async Task ChangingTheEmailAddress_WritesToTheOldAndTheNewAddress()
    {
        var old = $"old-{Guid.NewGuid():N}@example.org";
        var @new = $"new-{Guid.NewGuid():N}@example.org";
        var userId = Guid.Parse((string)(await api.GraphQLAsync(SignUp, new { email = old, locale = "en" })).DataOrFail()["signUp"]!["user"]!["id"]!);

        var changed = (await api.GraphQLAsync("mutation($email: String!) { updateProfile(input: { email: $email }) { errors { code } } }",
            new { email = @new }, api.UserToken(userId))).DataOrFail()["updateProfile"]!;
        Assert.Empty(changed["errors"]!.AsArray());

        var toOld = await api.Smtp.WaitForAsync(e => e.To.Contains(old) && e.Message.Subject!.Contains("changed"));
        var toNew = await api.Smtp.WaitForAsync(e => e.To.Contains(@new));
        Assert.Equal("The e-mail address of your Imail account was changed", toOld.Message.Subject);
        Assert.Contains($"changed to {@new}", toOld.Message.TextBody!);
        Assert.Equal("Your new e-mail address for Imail", toNew.Message.Subject);
        Assert.Contains($"instead of {old}", toNew.Message.TextBody);
        Assert.NotEqual(toOld.MessageId, toNew.MessageId);
    }

    [Fact]
    public async Task ASignUpThatFails_SendsNothing()
    {
        var taken = $"taken-{Guid.NewGuid():N}@example.org";
        await api.GraphQLAsync(SignUp, new { email = taken, locale = "fr" });
        await api.Smtp.WaitForAsync(e => e.To.Contains(taken));

        var again = (await api.GraphQLAsync(SignUp, new { email = taken, locale = "fr" })).DataOrFail()["signUp"]!;
        Assert.Equal("EMAIL_TAKEN", (string?)again["errors"]![0]!["code"]);
        var control = $"control-{Guid.NewGuid():N}@example.org";
        await api.GraphQLAsync(SignUp, new { email = control, locale = "fr" });
        await api.Smtp.WaitForAsync(e => e.To.Contains(control));

        Assert.Single(api.Smtp.Received, e => e.To.Contains(taken));
    }
}
