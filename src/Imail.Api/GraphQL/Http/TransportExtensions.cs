using GraphQL.DI;
using GraphQL.Execution;
using Imail.Api.GraphQL.WebSockets;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Imail.Api.GraphQL.Http;

public static class TransportExtensions
{
    /// <summary>
    /// The GraphQL-over-HTTP endpoint, its streaming siblings (WebSocket, SSE), the parsed-document
    /// cache, error codes on every error, a bound on their number and length, and SERVICE_UNAVAILABLE
    /// when the database is away.
    /// </summary>
    public static WebApplicationBuilder AddImailTransport(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<SubscriptionOptions>().BindConfiguration(SubscriptionOptions.Section)
            .Validate(o => o.ConnectionInitTimeout > TimeSpan.Zero && o.KeepAliveInterval > TimeSpan.Zero && o.PollInterval > TimeSpan.Zero
                           && o.MaxPendingMessages > 0 && o.ReadBatchSize > 0,
                $"{SubscriptionOptions.Section}: timeouts and intervals are positive, MaxPendingMessages and ReadBatchSize too.")
            .ValidateOnStart();
        builder.Services.AddSingleton<DocumentCache>();
        builder.Services.AddSingleton<IConfigureExecution>(services => services.GetRequiredService<DocumentCache>());
        builder.Services.AddSingleton<IConfigureExecution, ErrorLimit>();
        builder.Services.AddSingleton<IConfigureExecution, DatabaseOutageErrors>();
        builder.Services.Replace(ServiceDescriptor.Singleton<IErrorInfoProvider, CodedErrorInfoProvider>());
        builder.Services.AddSingleton<GraphQLRunner>();
        builder.Services.AddSingleton<GraphQLHttpEndpoint>();
        builder.Services.AddSingleton<GraphQLSseEndpoint>();
        builder.Services.AddSingleton<GraphQLWebSocketEndpoint>();
        return builder;
    }

    /// <summary>
    /// <c>/graphql</c> for every method (405 answered here, in GraphQL's shape): a WebSocket upgrade
    /// goes to <c>graphql-transport-ws</c>, <c>Accept: text/event-stream</c> to SSE, the rest to
    /// GraphQL over HTTP. A browser's GET without a query goes to the IDE instead: its endpoint
    /// outranks this one and its matcher policy lets it have only those requests.
    /// </summary>
    public static WebApplication MapImailGraphQL(this WebApplication app)
    {
        app.UseWebSockets();
        app.Map("/graphql", context =>
            {
                var services = context.RequestServices;
                if (context.WebSockets.IsWebSocketRequest) return services.GetRequiredService<GraphQLWebSocketEndpoint>().HandleAsync(context);
                if (GraphQLSseEndpoint.Wants(context.Request)) return services.GetRequiredService<GraphQLSseEndpoint>().HandleAsync(context);
                return services.GetRequiredService<GraphQLHttpEndpoint>().HandleAsync(context);
            })
            .WithDisplayName("GraphQL over HTTP, WebSocket and SSE")
            .ExcludeFromDescription();
        return app;
    }
}
