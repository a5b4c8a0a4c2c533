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
    public async Task ChangingTheEmailAddress_SendsACodeToTheNewAddress_ThenWritesToTheOldAndTheNew()
    {
        var old = $"old-{Guid.NewGuid():N}@example.org";
        var @new = $"new-{Guid.NewGuid():N}@example.org";
        var userId = Guid.Parse((string)(await api.GraphQLAsync(SignUp, new { email = old, locale = "en" })).DataOrFail()["signUp"]!["user"]!["id"]!);

        var changed = (await api.GraphQLAsync("mutation($email: String!) { updateProfile(input: { email: $email }) { errors { code } } }",
            new { email = @new }, api.UserToken(userId))).DataOrFail()["updateProfile"]!;
        Assert.Empty(changed["errors"]!.AsArray());
        // The person reads the code in the e-mail the new address received, and types it in.
        var codeMail = await api.Smtp.WaitForAsync(e => e.To.Contains(@new) && e.Message.Subject!.Contains("Confirm"));
        var code = System.Text.RegularExpressions.Regex.Match(codeMail.Message.TextBody!, "[A-Z2-9]{4}(-[A-Z2-9]{4}){3}").Value;
        var confirmed = (await api.GraphQLAsync("mutation($c: String!) { confirmEmailChange(input: { code: $c }) { errors { code } } }",
            new { c = code }, api.UserToken(userId))).DataOrFail()["confirmEmailChange"]!;
        Assert.Empty(confirmed["errors"]!.AsArray());

        var toOld = await api.Smtp.WaitForAsync(e => e.To.Contains(old) && e.Message.Subject!.Contains("changed"));
        var toNew = await api.Smtp.WaitForAsync(e => e.To.Contains(@new) && !e.Message.Subject!.Contains("Confirm"));
        Assert.Equal("The e-mail address of your Imail account was changed", toOld.Message.Subject);
        Assert.Contains($"changed to {@new}", toOld.Message.TextBody!);
        Assert.Equal("Your new e-mail address for Imail", toNew.Message.Subject);
        Assert.Contains($"instead of {old}", toNew.Message.TextBody);
        Assert.NotEqual(toOld.MessageId, toNew.MessageId);
    }

    [Fact]
    public async Task ASignUpWithATakenAddress_WritesOnlyToItsOwner_ThatSomeoneTried()
    {
        var taken = $"taken-{Guid.NewGuid():N}@example.org";
        await api.GraphQLAsync(SignUp, new { email = taken, locale = "fr" });
        await api.Smtp.WaitForAsync(e => e.To.Contains(taken));

        var again = (await api.GraphQLAsync(SignUp, new { email = taken, locale = "en" })).DataOrFail()["signUp"]!;
        Assert.Empty(again["errors"]!.AsArray()); // the caller is told nothing
        var notice = await api.Smtp.WaitForAsync(e => e.To.Contains(taken) && e.Message.Subject!.Contains("Quelqu'un"));

        Assert.Contains("Votre compte existe déjà", notice.Message.TextBody); // the owner's language, not the caller's
        Assert.Equal(2, api.Smtp.Received.Count(e => e.To.Contains(taken)));
    }

}
