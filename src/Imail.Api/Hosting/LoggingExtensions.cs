namespace Imail.Api.Hosting;

public static class LoggingExtensions
{
    /// <summary>JSON lines outside Development (for log collectors); readable lines in Development.</summary>
    public static WebApplicationBuilder AddImailLogging(this WebApplicationBuilder builder)
    {
        builder.Logging.ClearProviders();
        if (builder.Environment.IsDevelopment())
            builder.Logging.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss "; });
        else
            builder.Logging.AddJsonConsole(o => { o.IncludeScopes = true; o.TimestampFormat = "O"; o.UseUtcTimestamp = true; });
        return builder;
    }
}
