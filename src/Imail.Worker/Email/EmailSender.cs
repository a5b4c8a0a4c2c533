using Imail.Domain.Outbox;
using Imail.Worker.Relay;
using Microsoft.Extensions.Options;

namespace Imail.Worker.Email;

/// <summary>
/// Sends <c>email.*</c> outbox messages over SMTP, one connection per batch, kept for the next.
/// 5xx replies and messages that cannot be composed are permanent; 4xx, timeouts and connection
/// problems are transient, and once the connection is lost the rest of the batch waits for its retry.
/// </summary>
public sealed partial class EmailSender(EmailComposer composer, SmtpConnectionPool pool, IOptionsMonitor<SmtpOptions> smtp, ILogger<EmailSender> log)
    : IOutboxSender
{
    public bool CanSend(string kind) => kind.StartsWith(EmailTemplates.KindPrefix, StringComparison.Ordinal);

    public async Task<DeliveryResult[]> SendAsync(IReadOnlyList<OutboxEnvelope> messages, CancellationToken ct)
    {
        var results = Enumerable.Repeat(DeliveryResult.NotAttempted, messages.Count).ToArray();
        var options = smtp.CurrentValue;
        if (messages.Count == 0) return results;
        if (string.IsNullOrWhiteSpace(options.Host))
        {
            NoHost();
            Array.Fill(results, DeliveryResult.Transient("Imail:Smtp:Host is not set."));
            return results;
        }

        var connection = pool.Rent();
        try
        {
            // The next message is composed while the current one is on the wire: composing costs
            // about as much CPU as sending, and the SMTP round trip leaves a core idle.
            var next = ComposeAhead(messages[0]);
            for (var i = 0; i < messages.Count && !ct.IsCancellationRequested; i++)
            {
                var composed = await next;
                if (i + 1 < messages.Count) next = ComposeAhead(messages[i + 1]);
                if (composed.Failure is { } failure)
                {
                    results[i] = failure;
                    continue;
                }

                var (result, connectionLost) = await connection.SendAsync(composed.Message!, options);
                results[i] = result with { Error = WithoutAddress(result.Error, composed.Recipient!) };
                if (result.Outcome == DeliveryOutcome.Delivered) Sent(messages[i].Id, composed.Message!.MessageId ?? "");
                if (connectionLost)
                {
                    for (var j = i + 1; j < messages.Count; j++)
                        results[j] = DeliveryResult.Transient($"Not sent: {results[i].Error}");
                    break;
                }
            }
        }
        finally
        {
            pool.Return(connection);
        }
        return results;
    }

    private Task<Composed> ComposeAhead(OutboxEnvelope envelope) => Task.Run(() =>
    {
        try
        {
            var (message, payload) = composer.Compose(envelope);
            return new Composed(message, payload.To, null);
        }
        catch (EmailCompositionException e)
        {
            return new Composed(null, null, DeliveryResult.Permanent(e.Message));
        }
        catch (InvalidOperationException e)
        {
            // Configuration (the publisher's details) is missing: not this message's fault.
            return new Composed(null, null, DeliveryResult.Transient(e.Message));
        }
    });

    private sealed record Composed(MimeKit.MimeMessage? Message, string? Recipient, DeliveryResult? Failure);

    /// <summary>Servers quote the recipient in their refusals; last_error and the logs keep no personal data (P8).</summary>
    private static string? WithoutAddress(string? error, string address) =>
        error?.Replace(address, "<recipient>", StringComparison.OrdinalIgnoreCase);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Outbox message {OutboxId} sent as <{MessageId}>")]
    private partial void Sent(Guid outboxId, string messageId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Imail:Smtp:Host is not set: e-mails wait in the outbox until it is")]
    private partial void NoHost();
}
