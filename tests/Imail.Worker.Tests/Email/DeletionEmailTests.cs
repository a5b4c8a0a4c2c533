using System.Text.RegularExpressions;
using Imail.Api.Auth;
using Imail.Domain.Outbox;
using Imail.Worker.Tests.Relay;
using Microsoft.EntityFrameworkCore;

namespace Imail.Worker.Tests.Email;

/// <summary>P10, "the user receives a confirmation e-mail; the erasure of P8 follows": over real SMTP, in the person's language.</summary>
public sealed partial class DeletionEmailTests(InProcessWorkerApi api) : IClassFixture<InProcessWorkerApi>
{
    [Fact]
    public async Task P10_SelfService_TheCodeAndThenTheErasureConfirmationArriveInThePersonsLanguage_WhosePayloadIsEmptiedOnDelivery()
    {
        var address = $"zoe-{Guid.NewGuid():N}@example.org";
        var person = await api.CreateUserAsync(address, "Zoé Peeters", "nl-BE");
        var token = api.UserToken(person.Id);

        var asked = (await api.GraphQLAsync("mutation { requestAccountDeletion(input: {}) { errors { code } } }", token: token)).DataOrFail();
        Assert.Empty(asked["requestAccountDeletion"]!["errors"]!.AsArray());
        var codeMail = await api.Smtp.WaitForAsync(e => e.To.Contains(address));
        Assert.Equal("Bevestig de verwijdering van uw Imail-account", codeMail.Message.Subject);
        var code = Code().Match(codeMail.Message.TextBody!).Value;
        Assert.Contains("(Brusselse tijd)", codeMail.Message.TextBody);

        var confirmed = (await api.GraphQLAsync("mutation($code: String!) { confirmAccountDeletion(input: { code: $code }) { erasedAt errors { code } } }",
            new { code }, token)).DataOrFail()["confirmAccountDeletion"]!;
        Assert.Empty(confirmed["errors"]!.AsArray());

        var goodbye = await api.Smtp.WaitForAsync(e => e.To.Contains(address) && e.Message.Subject != codeMail.Message.Subject);
        Assert.Equal("Uw Imail-account is verwijderd", goodbye.Message.Subject);
        Assert.Contains("Zoals u vanuit uw accountinstellingen vroeg, is uw Imail-account verwijderd.", goodbye.Message.TextBody);
        Assert.Contains("Hallo Zoé Peeters,", goodbye.Message.TextBody);
        Assert.Contains("\nContent-Language: nl\r\n", goodbye.RawText);

        // Delivered, the one trace of the person left is gone: the payload is emptied (erase_payload_on_delivery).
        var row = await api.ExecuteDbAsync(db => db.OutboxMessages.AsNoTracking()
            .SingleAsync(m => m.Kind == EmailTemplates.KindPrefix + EmailTemplates.ErasureConfirmation));
        Assert.Null(row.UserId);
        var delivered = await OutboxProbe.WaitForRowAsync(api.ConnectionString, row.Id,
            m => m.State == OutboxState.Delivered && m.Payload == "{}", "delivered and emptied");
        Assert.NotNull(delivered.PayloadPurgedAt);
        var payloads = await api.ExecuteDbAsync(db => db.OutboxMessages.AsNoTracking().Select(m => m.Payload).ToListAsync());
        Assert.DoesNotContain(payloads, p => p.Contains(address));
    }

    [Fact]
    public async Task P10_Staff_ThePersonIsToldTheDueDate_InTheirLanguage()
    {
        var address = $"zoe-{Guid.NewGuid():N}@example.org";
        var person = await api.CreateUserAsync(address, "Zoé Peeters", "en");
        var receivedAt = api.Clock.GetUtcNow();

        var recorded = (await api.GraphQLAsync("""
            mutation($userId: ID!) { recordDeletionRequest(input: { userId: $userId, channel: POST, requester: "the account holder" }) { deletionRequest { dueAt } errors { code } } }
            """, new { userId = person.Id }, api.Token(Roles.Staff, "alice"))).DataOrFail()["recordDeletionRequest"]!;
        Assert.Empty(recorded["errors"]!.AsArray());

        var email = await api.Smtp.WaitForAsync(e => e.To.Contains(address));
        Assert.Equal("We have received your request to delete your account", email.Message.Subject);
        var due = TimeZoneInfo.ConvertTime(receivedAt.AddMonths(1), TimeZoneInfo.FindSystemTimeZoneById("Europe/Brussels"));
        Assert.Contains($"we will carry it out by {due.Day} {due.ToString("MMMM yyyy", System.Globalization.CultureInfo.InvariantCulture)} at the latest", email.Message.TextBody);
    }

    [GeneratedRegex("[A-Z2-9]{4}(-[A-Z2-9]{4}){3}")]
    private static partial Regex Code();
}
