namespace Imail.Worker.Email;

public enum SmtpSecurity
{
    /// <summary>TLS on port 465, STARTTLS elsewhere when the server offers it.</summary>
    Auto,
    None,
    StartTls,
    Ssl,
}

/// <summary>Where e-mails go and who they are from (<c>Imail:Smtp</c>).</summary>
public sealed class SmtpOptions
{
    public const string Section = "Imail:Smtp";

    /// <summary>The SMTP server; unset, e-mails wait in the outbox (and Development starts its own mailbox).</summary>
    public string? Host { get; set; }

    public int Port { get; set; } = 25;
    public SmtpSecurity Security { get; set; } = SmtpSecurity.Auto;
    public string? User { get; set; }
    public string? Password { get; set; }

    /// <summary>Longest wait for any one SMTP exchange (connect, command, data) before the attempt counts as failed.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The <c>From</c> header, e.g. <c>Imail &lt;no-reply@imail.example&gt;</c>.</summary>
    public string From { get; set; } = "Imail <no-reply@imail.localhost>";

    /// <summary>The right-hand side of <c>Message-ID: &lt;outboxId@domain&gt;</c> (and the EHLO name); default: the <see cref="From"/> domain.</summary>
    public string? MessageIdDomain { get; set; }
}
