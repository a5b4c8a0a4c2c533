using System.Text.Json;
using Imail.Domain.Outbox;
using Imail.Worker.Relay;
using Microsoft.Extensions.Options;
using MimeKit;

namespace Imail.Worker.Email;

/// <summary>Turns an <c>email.*</c> outbox message into the MIME message that is sent.</summary>
public sealed class EmailComposer(EmailRenderer renderer, IOptionsMonitor<SmtpOptions> smtp)
{
    public static string TemplateOf(string kind) => kind[EmailTemplates.KindPrefix.Length..];

    /// <exception cref="EmailCompositionException">The message can never be sent as it is (bad payload, address or template).</exception>
    public (MimeMessage Message, EmailPayload Payload) Compose(OutboxEnvelope envelope)
    {
        EmailPayload payload;
        MailboxAddress to;
        try
        {
            payload = JsonSerializer.Deserialize<EmailPayload>(envelope.Payload, OutboxJson.Options)
                ?? throw new JsonException("The payload is null.");
            if (string.IsNullOrWhiteSpace(payload.To)) throw new JsonException("The payload has no recipient (purged?).");
            to = new MailboxAddress(payload.Name ?? "", MailboxAddress.Parse(payload.To).Address);
        }
        catch (Exception e) when (e is JsonException or ParseException or NotSupportedException)
        {
            throw new EmailCompositionException($"Cannot read the e-mail payload: {e.Message}");
        }

        RenderedEmail rendered;
        try
        {
            rendered = renderer.Render(TemplateOf(envelope.Kind), payload);
        }
        catch (UnknownTemplateException e)
        {
            throw new EmailCompositionException(e.Message);
        }

        var options = smtp.CurrentValue;
        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse(options.From));
        message.To.Add(to);
        message.Subject = rendered.Subject;
        // Stable across retries and relays: receivers drop the duplicates at-least-once delivery may cause.
        var domain = MessageIdDomain(options);
        message.MessageId = $"{payload.MessageKey ?? envelope.Id.ToString()}@{domain}";
        // A follow-up (an incident's update) answers a message whose id was set in advance: mail clients thread them.
        if (payload.InReplyToKey is { Length: > 0 } replyTo)
        {
            message.InReplyTo = $"{replyTo}@{domain}";
            message.References.Add($"{replyTo}@{domain}");
        }
        // When the change that owes this e-mail was committed, not when a retry finally got through.
        message.Date = envelope.CreatedAt;
        // RFC 3834: no vacation auto-replies to a notification.
        message.Headers.Add("Auto-Submitted", "auto-generated");
        message.Body = new BodyBuilder { TextBody = rendered.Text, HtmlBody = rendered.Html }.ToMessageBody();
        // Quoted-printable: readable, safe through any relay (8BITMIME or not), and chosen here
        // rather than by scanning every part at send time.
        foreach (var part in message.BodyParts.OfType<TextPart>()) part.ContentTransferEncoding = ContentEncoding.QuotedPrintable;
        // A Content-* header belongs to the body entity: MimeKit writes the message's own Content-* headers from there.
        message.Body.Headers.Add(HeaderId.ContentLanguage, payload.Locale.ToString().ToLowerInvariant());
        return (message, payload);
    }

    public static string MessageIdDomain(SmtpOptions options) =>
        options.MessageIdDomain is { Length: > 0 } domain ? domain
        : MailboxAddress.TryParse(options.From, out var from) && from.Domain is { Length: > 0 } fromDomain ? fromDomain
        : "imail.localhost";
}

public sealed class EmailCompositionException(string message) : Exception(message);
