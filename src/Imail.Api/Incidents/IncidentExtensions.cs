using Imail.Domain.Incidents;

namespace Imail.Api.Incidents;

public static class IncidentExtensions
{
    /// <summary>Security incidents (P12): code defaults, then <c>Imail:Incidents</c>.</summary>
    public static IServiceCollection AddImailIncidents(this IServiceCollection services)
    {
        services.AddOptions<IncidentOptions>().BindConfiguration(IncidentOptions.Section)
            .Validate(o => o.NoticeBatchSize > 0, $"{IncidentOptions.Section}:NoticeBatchSize must be positive.")
            .Validate(o => TimeZoneInfo.TryFindSystemTimeZoneById(o.TimeZone, out _), $"{IncidentOptions.Section}:TimeZone is not a time zone id.")
            .ValidateOnStart();
        return services;
    }
}
