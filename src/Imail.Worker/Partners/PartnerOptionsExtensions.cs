using Imail.Domain.Partners;

namespace Imail.Worker.Partners;

/// <summary>The partner settings the API and the worker both read, bound and checked the same way in each.</summary>
public static class PartnerOptionsExtensions
{
    /// <summary><c>Imail:Partners</c>: the event log's retention (resume, replay, purge).</summary>
    public static IServiceCollection AddPartnerEventOptions(this IServiceCollection services)
    {
        services.AddOptions<PartnerEventOptions>().BindConfiguration(PartnerEventOptions.Section)
            .Validate(o => o.EventRetention > TimeSpan.Zero, $"{PartnerEventOptions.Section}:EventRetention must be positive.")
            .ValidateOnStart();
        return services;
    }

    /// <summary><c>Imail:Webhooks</c>: https and public addresses required, relaxed in Development and Testing.</summary>
    public static IServiceCollection AddWebhookOptions(this IServiceCollection services, IHostEnvironment environment)
    {
        var relaxed = environment.IsDevelopment() || environment.IsEnvironment("Testing");
        services.AddOptions<WebhookOptions>()
            .Configure(o =>
            {
                if (relaxed) o.RelaxForDevelopment();
            })
            .BindConfiguration(WebhookOptions.Section)
            .Validate(WebhookOptions.IsValid, WebhookOptions.ValidationMessage)
            .ValidateOnStart();
        return services;
    }
}
