using Imail.Domain.Partners;
using Imail.Worker.Partners;
using Microsoft.Extensions.Options;

namespace Imail.Worker.Tests.Partners;

/// <summary>
/// SSRF at connect time: the API let the endpoint in (as it would a host that resolved to a public address when it
/// was registered), but the worker, with <c>Imail:Webhooks:AllowPrivateNetworks</c> false, refuses the loopback
/// address it would connect to (DNS rebinding).
/// </summary>
public class WebhookSsrfTests(WebhookSsrfTests.Fixture fixture) : IClassFixture<WebhookSsrfTests.Fixture>
{
    public sealed class Fixture : WebhookFixture
    {
        protected override IDictionary<string, string?> RelaySettings => new Dictionary<string, string?>(base.RelaySettings)
        {
            ["Imail:Webhooks:AllowPrivateNetworks"] = "false",
        };
    }

    [Fact]
    public async Task AnEndpointResolvingToLoopback_IsRefusedAtConnect_AndNothingReachesIt()
    {
        var url = fixture.Receiver.Url();
        var (endpointId, _) = await fixture.RegisterAsync("partner-rebinding", url);
        await fixture.PublishAsync();

        var refused = Assert.Single(await fixture.WaitForDeliveriesAsync("partner-rebinding", endpointId,
            d => d.Count == 1 && d[0]!["lastError"] is not null, "refused at connect"));
        Assert.Equal("PENDING", (string)refused!["state"]!);
        Assert.StartsWith("Refused to connect: 127.0.0.1 resolves to 127.0.0.1", (string)refused["lastError"]!);
        Assert.Empty(fixture.Receiver.Received);
    }

    [Theory]
    [InlineData("localhost")] // a name: the addresses DNS gives now are checked
    [InlineData("127.0.0.1")]
    public async Task TheWebhookClient_RefusesToConnectToLoopback_WhateverTheHostIsCalled(string host)
    {
        using var http = new WebhookHttp(new StaticOptions(new WebhookOptions { AllowPrivateNetworks = false }));
        var e = await Assert.ThrowsAsync<HttpRequestException>(() => http.Client.PostAsync($"http://{host}:{fixture.Receiver.Port}/hooks/x", new StringContent("{}")));
        Assert.IsType<WebhookTargetRefusedException>(e.InnerException);
        Assert.Empty(fixture.Receiver.Received);
    }

    private sealed class StaticOptions(WebhookOptions value) : IOptionsMonitor<WebhookOptions>
    {
        public WebhookOptions CurrentValue => value;
        public WebhookOptions Get(string? name) => value;
        public IDisposable? OnChange(Action<WebhookOptions, string?> listener) => null;
    }
}
