using Imail.Domain.Policies;

namespace Imail.Api.Policies;

public static class PolicyExtensions
{
    /// <summary>Policy versions (P13): code defaults, then <c>Imail:Policies</c>.</summary>
    public static IServiceCollection AddImailPolicies(this IServiceCollection services)
    {
        services.AddOptions<PolicyOptions>().BindConfiguration(PolicyOptions.Section)
            .Validate(o => o.AnnouncementBatchSize > 0, $"{PolicyOptions.Section}:AnnouncementBatchSize must be positive.")
            .Validate(o => TimeZoneInfo.TryFindSystemTimeZoneById(o.TimeZone, out _), $"{PolicyOptions.Section}:TimeZone is not a time zone id.")
            .ValidateOnStart();
        return services;
    }
}
