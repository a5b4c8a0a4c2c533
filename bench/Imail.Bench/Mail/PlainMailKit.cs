using System.Net.Sockets;
using System.Text;
using Imail.Worker.Email;
using Imail.Worker.Relay;
using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;

namespace Imail.Bench.Mail;

/// <summary>
/// B3's baseline: what sending these e-mails costs without an outbox. The same composer as the
/// relay's sender (<see cref="EmailComposer"/>: payload JSON → Liquid templates → MimeMessage, per
/// message) and one MailKit <see cref="SmtpClient"/> connection, sending them one after the other.
/// The socket has Nagle's algorithm off, as the relay's <c>SmtpConnection</c> has: both sides then
/// differ only by the outbox (claim, lease, results, wake-up), not by a TCP setting.
/// </summary>
public static class PlainMailKit
{
    public static async Task<SmtpClient> ConnectAsync(string host, int port, IProtocolLogger? logger = null)
    {
        var client = logger is null ? new SmtpClient() : new SmtpClient(logger);
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(host, port);
        await client.ConnectAsync(socket, host, port, SecureSocketOptions.None);
        return client;
    }

    /// <summary>Composes and sends every envelope on one connection; returns how many were accepted.</summary>
    public static async Task<int> SendAllAsync(EmailComposer composer, string host, int port, IReadOnlyList<OutboxEnvelope> envelopes, CancellationToken ct)
    {
        using var client = await ConnectAsync(host, port);
        var sent = 0;
        foreach (var envelope in envelopes)
        {
            var (message, _) = composer.Compose(envelope);
            await client.SendAsync(message, ct);
            sent++;
        }
        await client.DisconnectAsync(quit: true, ct);
        return sent;
    }

    /// <summary>
    /// The SMTP conversation for one message, the body left out: which commands travel together
    /// (PIPELINING) and so how many round trips a message costs.
    /// </summary>
    public static async Task<(string Transcript, int RoundTrips, bool Pipelining)> TranscriptAsync(EmailComposer composer, string host, int port, OutboxEnvelope envelope)
    {
        using var log = new MemoryStream();
        using (var client = await ConnectAsync(host, port, new ProtocolLogger(log, leaveOpen: true) { RedactSecrets = true }))
        {
            await client.NoOpAsync(); // the greeting and EHLO stay out of the count
            log.SetLength(0);
            var (message, _) = composer.Compose(envelope);
            await client.SendAsync(message);
            var pipelining = client.Capabilities.HasFlag(SmtpCapabilities.Pipelining);
            var lines = Encoding.UTF8.GetString(log.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).ToList();
            // Client lines of the message body are many: keep the commands and the replies.
            var kept = new List<string>();
            var inData = false;
            var roundTrips = 0;
            var lastWasClient = false;
            foreach (var line in lines)
            {
                var client_ = line.StartsWith("C: ", StringComparison.Ordinal);
                if (client_ && !lastWasClient) roundTrips++;
                lastWasClient = client_;
                if (client_ && inData)
                {
                    if (line == "C: .") { kept.Add("C: … message (" + message.ToString().Length.ToString("N0") + " bytes) …"); kept.Add(line); inData = false; }
                    continue;
                }
                kept.Add(line);
                if (line.StartsWith("S: 354", StringComparison.Ordinal)) inData = true;
            }
            await client.DisconnectAsync(true);
            return (string.Join("\n", kept), roundTrips, pipelining);
        }
    }
}
