using Imail.Domain.Statistics;

namespace Imail.Api.Statistics;

public static class StatisticsExtensions
{
    /// <summary>Statistics (P3): k and the dimensions shared with partners, from <c>Imail:Statistics</c>.</summary>
    public static IServiceCollection AddImailStatistics(this IServiceCollection services)
    {
        services.AddOptions<StatisticsOptions>().BindConfiguration(StatisticsOptions.Section)
            .Validate(o => o.K >= Disclosure.MinK, $"{StatisticsOptions.Section}:K is at least {Disclosure.MinK}: a group of one is a person.")
            .Validate(o => o.MaxAge > TimeSpan.Zero, $"{StatisticsOptions.Section}:MaxAge is positive.")
            .ValidateOnStart();
        return services;
    }
}
