using Imail.Worker.Partners;

namespace Imail.Api.Partners;

public static class WebhookEndpointExtensions
{
    /// <summary>
    /// What webhook registration checks (<c>Imail:Webhooks</c>: https and public addresses, relaxed in Development and
    /// Testing) and how far back a replay may go (<c>Imail:Partners:EventRetention</c>).
    /// </summary>
    public static WebApplicationBuilder AddImailWebhookEndpoints(this WebApplicationBuilder builder)
    {
        builder.Services.AddWebhookOptions(builder.Environment).AddPartnerEventOptions();
        return builder;
    }
}
