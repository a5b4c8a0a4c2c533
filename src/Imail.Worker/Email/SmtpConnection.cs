using System.Net.Sockets;
using Imail.Worker.Relay;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;

namespace Imail.Worker.Email;

/// <summary>
/// One SMTP connection, kept open across messages and batches. A connection the server closed
/// while it sat idle is noticed on the next send, which is tried once more on a fresh connection.
/// </summary>
public sealed class SmtpConnection : IDisposable
{
    private readonly SmtpClient _client = new();

    public bool IsConnected => _client.IsConnected;

    /// <summary>Sends one message. <c>ConnectionLost</c>: the server cannot be talked to now, so the rest of the batch need not try.</summary>
    public async Task<(DeliveryResult Result, bool ConnectionLost)> SendAsync(MimeMessage message, SmtpOptions options)
    {
        var reused = _client.IsConnected;
        for (var attempt = 1; ; attempt++)
        {
            if (!_client.IsConnected)
            {
                try
                {
                    await ConnectAsync(options);
                }
                catch (Exception e)
                {
                    Drop();
                    return (DeliveryResult.Transient($"Cannot connect to SMTP {options.Host}:{options.Port}: {SmtpFailure.Describe(e, options)}"), true);
                }
            }
            try
            {
                await _client.SendAsync(message);
                return (DeliveryResult.Delivered, false);
            }
            catch (SmtpCommandException e) when ((int)e.StatusCode == 421 && reused && attempt == 1)
            {
                Drop(); // "closing transmission channel": the server timed the idle connection out
            }
            catch (SmtpCommandException e)
            {
                var reply = SmtpFailure.Describe(e, options);
                return ((int)e.StatusCode >= 500 ? DeliveryResult.Permanent(reply) : DeliveryResult.Transient(reply), !_client.IsConnected);
            }
            catch (Exception e)
            {
                Drop();
                if (!(reused && attempt == 1))
                    return (DeliveryResult.Transient(SmtpFailure.Describe(e, options)), true);
            }
        }
    }

    private async Task ConnectAsync(SmtpOptions options)
    {
        _client.Timeout = (int)options.Timeout.TotalMilliseconds;
        _client.LocalDomain = EmailComposer.MessageIdDomain(options);
        using var timeout = new CancellationTokenSource(options.Timeout);
        // Our own socket, for NoDelay: SMTP is small writes waiting on replies, and Nagle's
        // algorithm against the server's delayed ACK costs ~40 ms per message.
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(options.Host!, options.Port, timeout.Token);
            await _client.ConnectAsync(socket, options.Host!, options.Port, options.Security switch
            {
                SmtpSecurity.None => SecureSocketOptions.None,
                SmtpSecurity.StartTls => SecureSocketOptions.StartTls,
                SmtpSecurity.Ssl => SecureSocketOptions.SslOnConnect,
                _ => SecureSocketOptions.Auto,
            }, timeout.Token);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
        if (options.User is { Length: > 0 } user) await _client.AuthenticateAsync(user, options.Password ?? "", timeout.Token);
    }

    private void Drop()
    {
        try
        {
            if (_client.IsConnected) _client.Disconnect(quit: false);
        }
        catch (Exception)
        {
            // Already gone; a fresh connect follows.
        }
    }

    public async Task QuitAsync()
    {
        try
        {
            if (_client.IsConnected)
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                await _client.DisconnectAsync(quit: true, timeout.Token);
            }
        }
        catch (Exception)
        {
            // Shutting down: a server that does not answer QUIT changes nothing.
        }
    }

    public void Dispose() => _client.Dispose();
}

public static class SmtpFailure
{
    /// <summary>What went wrong, in one line, for <c>last_error</c> and the logs.</summary>
    public static string Describe(Exception e, SmtpOptions options) => e switch
    {
        SmtpCommandException c => $"SMTP {(int)c.StatusCode} {c.Message}".Trim(),
        OperationCanceledException or TimeoutException => $"SMTP {options.Host}:{options.Port} timed out after {options.Timeout.TotalSeconds:0.#} s",
        System.Net.Sockets.SocketException s => $"{s.SocketErrorCode}: {s.Message}",
        _ when e.InnerException is System.Net.Sockets.SocketException s => $"{s.SocketErrorCode}: {s.Message}",
        _ => $"{e.GetType().Name}: {e.Message}",
    };
}

/// <summary>Idle SMTP connections, one per relay loop in use at a time.</summary>
public sealed class SmtpConnectionPool : IAsyncDisposable
{
    private readonly System.Collections.Concurrent.ConcurrentBag<SmtpConnection> _idle = [];
    private volatile bool _disposed;

    public SmtpConnection Rent() => _idle.TryTake(out var connection) ? connection : new SmtpConnection();

    public void Return(SmtpConnection connection)
    {
        if (connection.IsConnected && !_disposed) _idle.Add(connection);
        else connection.Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        _disposed = true;
        while (_idle.TryTake(out var connection))
        {
            await connection.QuitAsync();
            connection.Dispose();
        }
    }
}
