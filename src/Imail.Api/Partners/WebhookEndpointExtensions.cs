using Imail.Domain.Partners;

namespace Imail.Api.Partners;

public static class WebhookEndpointExtensions
{
    /// <summary>
    /// What webhook registration checks (<c>Imail:Webhooks</c>: https and public addresses, relaxed in Development and
    /// Testing) and how far back a replay may go (<c>Imail:Partners:EventRetention</c>).
    /// </summary>
    public static WebApplicationBuilder AddImailWebhookEndpoints(this WebApplicationBuilder builder)
    {
        var relaxed = builder.Environment.IsDevelopment() || builder.Environment.IsEnvironment("Testing");
        builder.Services.AddOptions<WebhookOptions>()
            .Configure(o =>
            {
                if (relaxed) o.RelaxForDevelopment();
            })
            .BindConfiguration(WebhookOptions.Section)
            .Validate(WebhookOptions.IsValid, WebhookOptions.ValidationMessage)
            .ValidateOnStart();
        builder.Services.AddOptions<PartnerEventOptions>().BindConfiguration(PartnerEventOptions.Section)
            .Validate(o => o.EventRetention > TimeSpan.Zero, $"{PartnerEventOptions.Section}:EventRetention must be positive.")
            .ValidateOnStart();
        return builder;
    }
}
