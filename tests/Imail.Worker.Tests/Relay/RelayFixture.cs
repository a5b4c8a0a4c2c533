using Imail.Testing;

namespace Imail.Worker.Tests.Relay;

/// <summary>
/// A database, the API (for staff mutations), an SMTP server and one in-process relay on the
/// test's clock. The poll interval is an hour of fake time: whatever is delivered without moving
/// the clock was woken by NOTIFY.
/// </summary>
public class RelayFixture : ImailApiFactory
{
    public SmtpTestServer Smtp { get; private set; } = null!;
    public RelayHost Relay { get; private set; } = null!;

    protected virtual IDictionary<string, string?> RelaySettings => new Dictionary<string, string?>
    {
        ["Imail:Relay:PollInterval"] = "01:00:00",
        // One loop, so "one connection carries message after message" is deterministic; loops side by side: TwoRelaysTests.
        ["Imail:Relay:Parallelism"] = "1",
        ["Imail:Relay:MaxAttempts"] = "3",
        ["Imail:Smtp:Timeout"] = "00:00:01",
    };

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        Smtp = await SmtpTestServer.StartAsync();
        Relay = await RelayHost.StartAsync(ConnectionString, Clock, Merge(Smtp.Settings, RelaySettings));
    }

    public override async Task DisposeAsync()
    {
        await Relay.DisposeAsync();
        await Smtp.DisposeAsync();
        await base.DisposeAsync();
    }

    public static IDictionary<string, string?> Merge(params IDictionary<string, string?>[] all)
    {
        var merged = new Dictionary<string, string?>();
        foreach (var settings in all)
            foreach (var (key, value) in settings)
                merged[key] = value;
        return merged;
    }
}
