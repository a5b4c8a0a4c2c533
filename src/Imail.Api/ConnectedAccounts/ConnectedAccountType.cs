using GraphQL.Types;
using Imail.Api.Auth;
using Imail.Domain.ConnectedAccounts;

namespace Imail.Api.ConnectedAccounts;

public sealed class ConnectedAccountType : ObjectGraphType<ConnectedAccountView>
{
    public ConnectedAccountType()
    {
        Name = "ConnectedAccount";
        Description = "An account of another service the person connected for cross-posting (P4). Staff see that it exists and its scopes; only the person sees what it shared.";
        Field(a => a.Id, type: typeof(NonNullGraphType<IdGraphType>)).Description("Stable identifier; pass it to `disconnectAccount`.");
        Field(a => a.Provider).Description("The other service, as named in `connectedAccountProviders` (e.g. `mastodon`).");
        Field(a => a.GrantedScopes, type: typeof(NonNullGraphType<ListGraphType<NonNullGraphType<StringGraphType>>>))
            .Description("The scopes the person granted, as the provider names them.");
        Field(a => a.ConnectedAt).Description("When the account was first connected.");
        Field(a => a.UpdatedAt).Description("When the scopes and shared data were last replaced (a new connection of the same account).");
        Field(a => a.ExternalAccountId)
            .Description("The account's id at the other service. Category `connected_account_profile`: the person only, never staff.")
            .Allow(Roles.User);
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<SharedFieldType>>>>("shared")
            .Description("What the service shared, inside the granted scopes only. Category `connected_account_profile`: the person only, never staff.")
            .Allow(Roles.User)
            .Resolve(ctx => ctx.Source.Shared ?? []);
        this.Allow(Roles.User, Roles.Staff);
    }
}

public sealed class SharedFieldType : ObjectGraphType<SharedField>
{
    public SharedFieldType()
    {
        Name = "SharedField";
        Description = "One piece of profile data a connected service sent, and the granted scope that allowed storing it.";
        Field(f => f.Scope).Description("The granted scope that covers this field.");
        Field(f => f.Name).Description("The field's name, as in the provider catalogue (e.g. `displayName`).");
        Field(f => f.Value).Description("The value the service sent (at most 2000 characters).");
        this.Allow(Roles.User);
    }
}

public sealed class ConnectedAccountProviderType : ObjectGraphType<ProviderDescription>
{
    public ConnectedAccountProviderType()
    {
        Name = "ConnectedAccountProvider";
        Description = "A service one can connect, with the scopes it can grant: what a consent screen shows.";
        Field(p => p.Name).Description("The provider's name; pass it as `provider` to `connectAccount`.");
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<ConnectedAccountScopeType>>>>("scopes")
            .Description("The scopes the provider can grant, in the order a consent screen lists them.")
            .Resolve(ctx => ctx.Source.Scopes);
        this.AllowAnyone();
    }
}

public sealed class ConnectedAccountScopeType : ObjectGraphType<ProviderScope>
{
    public ConnectedAccountScopeType()
    {
        Name = "ConnectedAccountScope";
        Description = "A scope a provider can grant and the profile fields that Imail stores when it is granted.";
        Field(s => s.Name).Description("The scope as the provider names it, e.g. `profile` or `write:statuses`.");
        Field(s => s.Fields, type: typeof(NonNullGraphType<ListGraphType<NonNullGraphType<StringGraphType>>>))
            .Description("The profile fields this scope covers; empty for a pure permission such as posting.");
        this.AllowAnyone();
    }
}
