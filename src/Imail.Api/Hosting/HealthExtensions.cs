using Imail.Domain.Persistence;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;

namespace Imail.Api.Hosting;

public static class HealthExtensions
{
    public static WebApplicationBuilder AddImailHealth(this WebApplicationBuilder builder)
    {
        builder.Services.AddHealthChecks()
            .AddNpgSql(sp => sp.GetRequiredService<IConfiguration>().GetConnectionString(DatabaseSetup.ConnectionStringName)!,
                name: "postgresql", tags: ["ready"], timeout: TimeSpan.FromSeconds(3));
        return builder;
    }

    /// <summary><c>/health/live</c>: the process answers. <c>/health/ready</c>: and PostgreSQL does too.</summary>
    public static WebApplication MapImailHealth(this WebApplication app)
    {
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false });
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = check => check.Tags.Contains("ready") });
        return app;
    }
}
