using System.Net;
using Imail.Domain.Common;
using Imail.Domain.Partners;

namespace Imail.Domain.Tests.Partners;

public class WebhookUrlTests
{
    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("127.255.0.9")]
    [InlineData("0.0.0.0")]
    [InlineData("10.1.2.3")]
    [InlineData("172.16.0.1")]
    [InlineData("172.31.255.255")]
    [InlineData("192.168.1.1")]
    [InlineData("169.254.169.254")] // cloud metadata
    [InlineData("100.64.0.1")] // CGNAT
    [InlineData("100.127.255.255")]
    [InlineData("224.0.0.1")]
    [InlineData("255.255.255.255")]
    [InlineData("::")]
    [InlineData("::1")]
    [InlineData("fc00::1")]
    [InlineData("fd12:3456::1")]
    [InlineData("fe80::1")]
    [InlineData("ff02::1")]
    [InlineData("::ffff:127.0.0.1")] // IPv4-mapped
    [InlineData("::ffff:10.0.0.1")]
    [InlineData("64:ff9b::a00:1")] // NAT64 of 10.0.0.1
    [InlineData("2002:7f00:1::")] // 6to4 of 127.0.0.1
    [InlineData("2001:db8::1")]
    public void AddressesWebhooksMayNotReach_AreNotPublic(string address) =>
        Assert.False(WebhookNetworks.IsPublic(IPAddress.Parse(address)), address);

    [Theory]
    [InlineData("93.184.215.14")]
    [InlineData("172.32.0.1")]
    [InlineData("100.128.0.1")]
    [InlineData("8.8.8.8")]
    [InlineData("2606:4700::1111")]
    [InlineData("::ffff:8.8.8.8")]
    public void PublicAddresses_ArePublic(string address) =>
        Assert.True(WebhookNetworks.IsPublic(IPAddress.Parse(address)), address);

    [Theory]
    [InlineData("", "INVALID_WEBHOOK_URL")]
    [InlineData("/relative/path", "INVALID_WEBHOOK_URL")]
    [InlineData("ftp://example.org/hook", "INVALID_WEBHOOK_URL")]
    [InlineData("https://user:secret@example.org/hook", "INVALID_WEBHOOK_URL")]
    [InlineData("https://example.org/hook#part", "INVALID_WEBHOOK_URL")]
    [InlineData("https://example.org/a b", "INVALID_WEBHOOK_URL")]
    [InlineData("https://example.org/\u0000", "INVALID_WEBHOOK_URL")]
    [InlineData("https://example.org/\u0085", "INVALID_WEBHOOK_URL")]
    [InlineData("http://example.org/hook", "WEBHOOK_HTTPS_REQUIRED")]
    public void UrlsThatCannotBeEndpoints_AreRefusedWithTheirCode(string url, string code)
    {
        var e = Assert.Throws<RuleViolation>(() => WebhookUrl.Parse(url, requireHttps: true));
        Assert.Equal((code, "url"), (e.Code, e.Field));
        Assert.True(e.Message.Length < 300);
    }

    [Fact]
    public void AUrlOverTheLimit_IsRefused_WithoutBeingRepeated()
    {
        var e = Assert.Throws<RuleViolation>(() => WebhookUrl.Parse("https://example.org/" + new string('a', 200_000), requireHttps: true));
        Assert.Equal("INVALID_WEBHOOK_URL", e.Code);
        Assert.True(e.Message.Length < 200, e.Message);
    }

    [Fact]
    public void EventTypes_AreTheKnownOnes_WithoutRepeats()
    {
        Assert.Equal([PartnerEvents.PolicyVersionPublished], WebhookUrl.EventTypes([PartnerEvents.PolicyVersionPublished, PartnerEvents.PolicyVersionPublished]));
        Assert.Empty(WebhookUrl.EventTypes(null));
        Assert.Equal("UNKNOWN_EVENT_TYPE", Assert.Throws<RuleViolation>(() => WebhookUrl.EventTypes(["userDeleted"])).Code);
    }

    [Fact]
    public void ASecret_IsStandardWebhooksShaped_AndARotationKeepsThePreviousOneSigningForTheOverlap()
    {
        var now = new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);
        var (endpoint, secret) = WebhookEndpoint.Register("p", new Uri("https://example.org/h"), [], 0, 10, now);
        Assert.StartsWith("whsec_", secret);
        Assert.Equal(32, Convert.FromBase64String(secret["whsec_".Length..]).Length);

        var rotated = endpoint.RotateSecret(TimeSpan.FromHours(24), now);
        Assert.Equal([secret, rotated], WebhookEndpoint.SigningSecrets(endpoint.Secret, endpoint.PreviousSecret, endpoint.PreviousSecretUntil, now.AddHours(23)));
        Assert.Equal([rotated], WebhookEndpoint.SigningSecrets(endpoint.Secret, endpoint.PreviousSecret, endpoint.PreviousSecretUntil, now.AddHours(24)));
        Assert.Equal("WEBHOOK_ENDPOINT_LIMIT", Assert.Throws<RuleViolation>(() => WebhookEndpoint.Register("p", new Uri("https://example.org/h"), [], 10, 10, now)).Code);
    }
}
