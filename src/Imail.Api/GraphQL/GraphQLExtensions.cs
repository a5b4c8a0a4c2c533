using GraphQL;
using Imail.Api.ConnectedAccounts;
using Imail.Api.Incidents;
using Imail.Api.Lifecycle;
using Imail.Api.Partners;
using Imail.Api.Policies;
using Imail.Api.Statistics;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Imail.Api.GraphQL;

public static class GraphQLExtensions
{
    public static WebApplicationBuilder AddImailGraphQL(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<GraphQLOptions>().BindConfiguration(GraphQLOptions.Section)
            .Validate(o => o.MaxErrors > 0 && o.MaxRootMutationFields > 0 && o.MaxFields > 0,
                $"{GraphQLOptions.Section}: MaxErrors, MaxRootMutationFields and MaxFields are positive.")
            .ValidateOnStart();
        builder.Services.AddOptions<RateLimitOptions>().BindConfiguration(RateLimitOptions.Section)
            .Validate(o => new[] { o.Email, o.ConsentProofs }.All(l => l.PerAddress >= 0 && l.PerAccount >= 0 && l.Window > TimeSpan.Zero),
                $"{RateLimitOptions.Section}: limits are 0 (off) or positive, windows positive.")
            .ValidateOnStart();
        builder.Services.AddSingleton<FieldRateLimiter>();
        var options = builder.Configuration.GetSection(GraphQLOptions.Section).Get<GraphQLOptions>() ?? new GraphQLOptions();
        builder.Services.AddGraphQL(graphql => graphql
            .AddSchema<ImailSchema>()
            .AddSystemTextJson()
            .AddGraphTypes(typeof(ImailSchema).Assembly)
            .AddValidationRule<AccessValidationRule>()
            .AddValidationRule<InputTextRule>()
            .AddValidationRule<ComplexityRule>()
            .AddValidationRule<Http.MutationLimitRule>()
            .AddDocumentListener<RateLimitListener>()
            .AddErrorInfoProvider(e => e.ExposeExceptionDetails = options.ExposeExceptionDetails));

        // Every DateTimeOffset input in UTC: GraphQL.NET takes a built-in scalar's replacement from DI.
        builder.Services.AddSingleton<global::GraphQL.Types.DateTimeOffsetGraphType, UtcDateTimeOffsetGraphType>();
        builder.Services.AddSingleton<Domain.Persistence.PersonalDataCatalogue>();
        builder.Services.AddImailConnectedAccounts();
        builder.Services.AddImailDeletionRequests();
        builder.AddImailWebhookEndpoints();
        builder.Services.AddImailPolicies();
        builder.Services.AddImailIncidents();
        builder.Services.AddImailStatistics();

        // Each feature contributes its root fields; found here so a new feature needs no wiring.
        foreach (var type in typeof(ImailSchema).Assembly.GetTypes().Where(t => t is { IsClass: true, IsAbstract: false }))
        {
            if (typeof(IQueryFields).IsAssignableFrom(type))
                builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton(typeof(IQueryFields), type));
            if (typeof(IMutationFields).IsAssignableFrom(type))
                builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton(typeof(IMutationFields), type));
            if (typeof(ISubscriptionFields).IsAssignableFrom(type))
                builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton(typeof(ISubscriptionFields), type));
        }
        return builder;
    }
}
