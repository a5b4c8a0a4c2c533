using System.Net;
using Microsoft.AspNetCore.StaticFiles;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Options;

namespace Imail.Api.Ide;

public static class IdeExtensions
{
    public static WebApplicationBuilder AddImailIde(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<IdeOptions>().BindConfiguration(IdeOptions.Section);
        builder.Services.AddSingleton<MatcherPolicy, IdeRequestMatcherPolicy>();
        return builder;
    }

    /// <summary>Banana Cake Pop at <c>/graphql/</c>; a browser's <c>GET /graphql</c> is redirected there.</summary>
    public static IEndpointRouteBuilder MapImailIde(this IEndpointRouteBuilder app)
    {
        var options = app.ServiceProvider.GetRequiredService<IOptions<IdeOptions>>().Value;
        if (!options.Enabled)
        {
            return app;
        }
        // Without the policy the IDE would also answer GraphQL GET requests.
        if (!app.ServiceProvider.GetServices<MatcherPolicy>().OfType<IdeRequestMatcherPolicy>().Any())
        {
            throw new InvalidOperationException("MapImailIde() needs builder.AddImailIde().");
        }

        // The build copies the npm package here (see Imail.Api.csproj), beside the assemblies,
        // so run, test and publish all find it.
        var files = new PhysicalFileProvider(Path.Combine(AppContext.BaseDirectory, "Ide", "bcp"));
        var index = files.GetFileInfo("index.html");
        if (!index.Exists)
        {
            throw new InvalidOperationException(
                $"Banana Cake Pop is missing from {files.Root}: build Imail.Api (it runs npm ci in src/Imail.Api/Ide) or set {IdeOptions.Section}:Enabled=false.");
        }
        var page = File.ReadAllText(index.PhysicalPath!)
            .Replace("<title>Banana Cake Pop</title>", $"<title>{WebUtility.HtmlEncode(options.Title)}</title>");
        var contentTypes = new FileExtensionContentTypeProvider();

        // Order -1 outranks the transport's "/graphql"; IdeRequestMatcherPolicy steps aside for GraphQL requests.
        app.MapMethods("/graphql/{**path}", [HttpMethods.Get, HttpMethods.Head], (HttpRequest request, string? path) =>
            {
                if (string.IsNullOrEmpty(path))
                {
                    // The page loads its assets relative to its own URL, so that URL must end with a slash.
                    return request.Path.Value!.EndsWith('/')
                        ? Results.Content(page, "text/html; charset=utf-8")
                        : Results.Redirect($"{request.PathBase}/graphql/{request.QueryString}");
                }

                if (path == "bcp-config.json")
                {
                    // The keys BCP 18's bundle reads; sign-in and telemetry stay off so it works offline.
                    return Results.Json(new
                    {
                        useBrowserUrlAsEndpoint = true,
                        endpoint = $"{request.PathBase}/graphql",
                        disableTelemetry = true,
                    });
                }

                var file = files.GetFileInfo(path);
                return file.Exists && !file.IsDirectory && contentTypes.TryGetContentType(path, out var contentType)
                    ? Results.File(file.PhysicalPath!, contentType, lastModified: file.LastModified)
                    : Results.NotFound();
            })
            .WithOrder(-1)
            .WithMetadata(IdeRequestMetadata.Instance)
            .ExcludeFromDescription();

        return app;
    }
}
