using Imail.Domain.Lifecycle;

namespace Imail.Api.Lifecycle;

public static class LifecycleExtensions
{
    /// <summary>Deletion requests (P10): code defaults, then <c>Imail:Lifecycle</c>.</summary>
    public static IServiceCollection AddImailDeletionRequests(this IServiceCollection services)
    {
        services.AddOptions<DeletionRequestOptions>()
            .BindConfiguration(DeletionRequestOptions.Section)
            .Validate(o => o.DueSoonDays is >= 1 and <= 62, $"{DeletionRequestOptions.Section}:DueSoonDays must be 1 to 62.")
            .ValidateOnStart();
        return services;
    }
}
