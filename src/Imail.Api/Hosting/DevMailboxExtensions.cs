using System.Text;
using System.Text.Encodings.Web;

namespace Imail.Api.Hosting;

public static class DevMailboxExtensions
{
    /// <summary>
    /// In Development with no <c>Imail:Smtp:Host</c>: starts the <see cref="DevMailbox"/> and points
    /// the relay's SMTP settings at it. Call before <c>AddImailWorker()</c>.
    /// </summary>
    public static WebApplicationBuilder AddImailDevMailbox(this WebApplicationBuilder builder)
    {
        if (!builder.Environment.IsDevelopment() || !string.IsNullOrWhiteSpace(builder.Configuration["Imail:Smtp:Host"])) return builder;
        var port = DevMailbox.FreePort();
        builder.Configuration["Imail:Smtp:Host"] = "127.0.0.1";
        builder.Configuration["Imail:Smtp:Port"] = port.ToString();
        builder.Configuration["Imail:Smtp:Security"] = "None";
        builder.Configuration["Imail:Smtp:User"] = "";
        var folder = new LocalFolder(builder.Configuration, builder.Environment).PathOf("mail");
        builder.Services.AddSingleton(sp => new DevMailbox(folder, port, sp.GetRequiredService<ILogger<DevMailbox>>()));
        builder.Services.AddHostedService(sp => sp.GetRequiredService<DevMailbox>());
        return builder;
    }

    /// <summary><c>GET /dev/mail</c>: the e-mails the development run sent (only when the mailbox runs).</summary>
    public static WebApplication MapImailDevMailbox(this WebApplication app)
    {
        if (!app.Environment.IsDevelopment() || app.Services.GetService<DevMailbox>() is null) return app;
        var group = app.MapGroup(DevMailbox.Path).AllowAnonymous().ExcludeFromDescription();
        group.MapGet("", (DevMailbox mailbox) => Page("E-mails sent", ListBody(mailbox.List())));
        group.MapGet("{name}", (string name, DevMailbox mailbox) =>
            mailbox.Load(name) is { } message ? Page(message.Subject ?? "(no subject)", MessageBody(name, message)) : Results.NotFound());
        group.MapGet("{name}/html", (string name, DevMailbox mailbox, HttpContext http) =>
        {
            if (mailbox.Load(name) is not { } message) return Results.NotFound();
            // The message's HTML is shown as it is, but cannot run scripts, load anything or reach the API.
            http.Response.Headers.ContentSecurityPolicy = "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:";
            return Results.Content(message.HtmlBody ?? "<p>(no HTML part)</p>", "text/html; charset=utf-8");
        });
        group.MapGet("{name}/raw", (string name, DevMailbox mailbox) =>
            mailbox.RawPath(name) is { } path ? Results.File(path, "text/plain; charset=utf-8") : Results.NotFound());
        return app;
    }

    private static readonly HtmlEncoder Html = HtmlEncoder.Create(System.Text.Unicode.UnicodeRanges.All);

    private static string ListBody(IReadOnlyList<DevMailboxEntry> entries)
    {
        if (entries.Count == 0) return "<p>No e-mail yet. Sign up in the IDE and reload.</p>";
        var rows = new StringBuilder();
        foreach (var e in entries)
            rows.Append($"<tr><td>{Html.Encode(e.Date.ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss"))}</td><td>{Html.Encode(e.To)}</td>"
                + $"<td><a href=\"{DevMailbox.Path}/{Html.Encode(e.Name)}\">{Html.Encode(e.Subject)}</a></td></tr>");
        return $"<table><thead><tr><th>Date</th><th>To</th><th>Subject</th></tr></thead><tbody>{rows}</tbody></table>";
    }

    private static string MessageBody(string name, MimeKit.MimeMessage message)
    {
        string Header(string label, string? value) => $"<tr><th>{label}</th><td>{Html.Encode(value ?? "")}</td></tr>";
        var n = Html.Encode(name);
        return $"""
            <p><a href="{DevMailbox.Path}">← all e-mails</a> · <a href="{DevMailbox.Path}/{n}/raw">raw .eml</a></p>
            <table class="headers">
            {Header("From", message.From.ToString())}{Header("To", message.To.ToString())}{Header("Subject", message.Subject)}
            {Header("Date", message.Date.ToString("R"))}{Header("Message-ID", message.MessageId is null ? null : $"<{message.MessageId}>")}
            </table>
            <h2>HTML part</h2>
            <iframe sandbox src="{DevMailbox.Path}/{n}/html" title="HTML part"></iframe>
            <h2>Text part</h2>
            <pre>{Html.Encode(message.TextBody ?? "(no text part)")}</pre>
            """;
    }

    private static IResult Page(string title, string body) => Results.Content($$"""
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><title>{{Html.Encode(title)}} · Imail development mailbox</title>
        <style>
          body { font-family: system-ui, sans-serif; margin: 2rem; color: #1f2937; }
          table { border-collapse: collapse; } th, td { text-align: left; padding: .3rem .8rem; border-bottom: 1px solid #e5e7eb; vertical-align: top; }
          iframe { width: 100%; max-width: 60rem; height: 32rem; border: 1px solid #d1d5db; }
          pre { white-space: pre-wrap; max-width: 60rem; background: #f9fafb; padding: 1rem; border: 1px solid #e5e7eb; }
        </style></head>
        <body><h1>{{Html.Encode(title)}}</h1>{{body}}</body></html>
        """, "text/html; charset=utf-8");
}
