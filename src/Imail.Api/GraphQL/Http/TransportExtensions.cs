using GraphQL.DI;
using GraphQL.Execution;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Imail.Api.GraphQL.Http;

public static class TransportExtensions
{
    /// <summary>
    /// The GraphQL-over-HTTP endpoint, the parsed-document cache, error codes on every error, a
    /// bound on their number and length, and SERVICE_UNAVAILABLE when the database is away.
    /// </summary>
    public static WebApplicationBuilder AddImailTransport(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<DocumentCache>();
        builder.Services.AddSingleton<IConfigureExecution>(services => services.GetRequiredService<DocumentCache>());
        builder.Services.AddSingleton<IConfigureExecution, ErrorLimit>();
        builder.Services.AddSingleton<IConfigureExecution, DatabaseOutageErrors>();
        builder.Services.Replace(ServiceDescriptor.Singleton<IErrorInfoProvider, CodedErrorInfoProvider>());
        builder.Services.AddSingleton<GraphQLHttpEndpoint>();
        return builder;
    }

    /// <summary>
    /// <c>/graphql</c> for every method (405 answered here, in GraphQL's shape). A browser's GET without
    /// a query goes to the IDE instead: its endpoint outranks this one and its matcher policy lets
    /// it have only those requests.
    /// </summary>
    public static WebApplication MapImailGraphQL(this WebApplication app)
    {
        app.Map("/graphql", context => context.RequestServices.GetRequiredService<GraphQLHttpEndpoint>().HandleAsync(context))
            .WithDisplayName("GraphQL over HTTP")
            .ExcludeFromDescription();
        return app;
    }
}
