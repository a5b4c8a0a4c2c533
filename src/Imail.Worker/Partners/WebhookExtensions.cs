using Imail.Worker.Relay;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Imail.Worker.Partners;

public static class WebhookExtensions
{
    /// <summary>
    /// Signed webhooks: the fan-out that owes each logged event to the endpoints that want it, and the sender that
    /// delivers them (<c>Imail:Webhooks</c>; plain http and private networks allowed in Development and Testing).
    /// </summary>
    public static IHostApplicationBuilder AddImailWebhooks(this IHostApplicationBuilder builder)
    {
        builder.Services.AddWebhookOptions(builder.Environment);
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.TryAddSingleton<WebhookHttp>();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IPartnerEventFanOut, WebhookFanOut>());
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IOutboxSender, WebhookSender>());
        return builder;
    }
}
