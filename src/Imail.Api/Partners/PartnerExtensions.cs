using Imail.Worker.Partners;

namespace Imail.Api.Partners;

public static class PartnerExtensions
{
    /// <summary>
    /// Partner events for subscribers: the backplane that brings the event log to this replica.
    /// <paramref name="listen"/> false (commands that do not serve) registers it without starting it.
    /// </summary>
    public static WebApplicationBuilder AddImailPartnerSubscriptions(this WebApplicationBuilder builder, bool listen)
    {
        builder.Services.AddPartnerEventOptions();
        builder.Services.AddSingleton<PartnerEventBackplane>();
        if (listen) builder.Services.AddHostedService(services => services.GetRequiredService<PartnerEventBackplane>());
        return builder;
    }
}
