using Imail.Worker.Relay;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Imail.Worker.Partners;

public static class PartnerExtensions
{
    /// <summary>Partner events for the outbox relay: the event log the API replicas' subscriptions read, and its fan-outs.</summary>
    public static IHostApplicationBuilder AddImailPartnerEvents(this IHostApplicationBuilder builder)
    {
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IOutboxSender, PartnerEventSender>());
        builder.AddImailWebhooks();
        return builder;
    }
}
