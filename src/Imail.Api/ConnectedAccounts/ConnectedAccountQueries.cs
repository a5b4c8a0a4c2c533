using GraphQL.Types;
using Imail.Api.GraphQL;
using Imail.Domain.ConnectedAccounts;
using Microsoft.Extensions.Options;

namespace Imail.Api.ConnectedAccounts;

public sealed class ConnectedAccountQueries(IOptions<ConnectedAccountProviders> providers) : IQueryFields
{
    public void AddTo(QueryType query)
    {
        query.Field<NonNullGraphType<ListGraphType<NonNullGraphType<ConnectedAccountProviderType>>>>("connectedAccountProviders")
            .Description("The services one can connect (P4), each with its scopes and the profile fields each scope lets Imail store: what a consent screen renders. Public.")
            .AllowAnyone()
            .Resolve(_ => providers.Value.Catalogue());
    }
}
