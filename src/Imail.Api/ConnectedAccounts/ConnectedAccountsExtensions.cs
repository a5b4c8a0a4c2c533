using Imail.Domain.ConnectedAccounts;

namespace Imail.Api.ConnectedAccounts;

public static class ConnectedAccountsExtensions
{
    /// <summary>The provider catalogue: code defaults, then <c>Imail:ConnectedAccounts</c>; a broken catalogue stops the start.</summary>
    public static IServiceCollection AddImailConnectedAccounts(this IServiceCollection services)
    {
        services.AddOptions<ConnectedAccountProviders>()
            .BindConfiguration(ConnectedAccountProviders.Section)
            .Validate(p => p.Problems().Count == 0, "Imail:ConnectedAccounts is invalid: check provider, scope and field names (at most 40, 100 and 100 characters, scopes unique per provider).")
            .ValidateOnStart();
        return services;
    }
}
