using GraphQL;
using Imail.Api.ConnectedAccounts;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Imail.Api.Schema;

public sealed class GraphQLOptions
{
    public const string Section = "Imail:GraphQL";

    /// <summary>Deepest selection nesting accepted.</summary>
    public int MaxDepth { get; set; } = 12;

    /// <summary>Largest complexity accepted (GraphQL.NET's analyzer: fields weighted by list sizes).</summary>
    public int MaxComplexity { get; set; } = 20_000;

    /// <summary>Longest string accepted in any argument or variable, in characters (<c>STRING_TOO_LONG</c> above it); fields have their own, smaller limits.</summary>
    public int MaxStringLength { get; set; } = 32 * 1024;

    /// <summary>
    /// Deepest introspection accepted, counted as <see cref="MaxDepth"/> is (graphql-js's standard
    /// query: 15). Introspection is bounded apart from data: see <see cref="IntrospectionBound"/>.
    /// </summary>
    public int IntrospectionMaxDepth { get; set; } = 20;

    /// <summary>
    /// Largest introspection cost accepted per operation: each field 1, times 20 for each list above
    /// it (graphql-js's standard query with every option: 347,113; Banana Cake Pop's: 227,069).
    /// </summary>
    public int IntrospectionMaxComplexity { get; set; } = 600_000;

    /// <summary>Whether exception details reach clients (Development only).</summary>
    public bool ExposeExceptionDetails { get; set; }
}

public static class GraphQLExtensions
{
    public static WebApplicationBuilder AddImailGraphQL(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<GraphQLOptions>().BindConfiguration(GraphQLOptions.Section);
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
            .AddValidationRule<Transport.MutationLimitRule>()
            .AddDocumentListener<RateLimitListener>()
            .AddErrorInfoProvider(e => e.ExposeExceptionDetails = options.ExposeExceptionDetails));

        // Every DateTimeOffset input in UTC: GraphQL.NET takes a built-in scalar's replacement from DI.
        builder.Services.AddSingleton<GraphQL.Types.DateTimeOffsetGraphType, UtcDateTimeOffsetGraphType>();
        builder.Services.AddSingleton<Users.PersonalDataMap>();
        builder.Services.AddImailConnectedAccounts();

        // Each feature contributes its root fields; found here so a new feature needs no wiring.
        foreach (var type in typeof(ImailSchema).Assembly.GetTypes().Where(t => t is { IsClass: true, IsAbstract: false }))
        {
            if (typeof(IQueryFields).IsAssignableFrom(type))
                builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton(typeof(IQueryFields), type));
            if (typeof(IMutationFields).IsAssignableFrom(type))
                builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton(typeof(IMutationFields), type));
        }
        return builder;
    }
}
