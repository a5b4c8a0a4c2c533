using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.AspNetCore.StaticFiles;
using Microsoft.Extensions.FileProviders;

namespace Imail.Api.Ide;

public static class IdeExtensions
{
    /// <summary>
    /// Banana Cake Pop at <c>/graphql/</c>, where a browser's <c>GET /graphql</c> is redirected;
    /// <c>Imail:Ide:Enabled=false</c> leaves it out.
    /// </summary>
    public static IEndpointRouteBuilder MapImailIde(this IEndpointRouteBuilder app)
    {
        if (!app.ServiceProvider.GetRequiredService<IConfiguration>().GetValue("Imail:Ide:Enabled", true))
        {
            return app;
        }

        // The build copies the npm package here (see Imail.Api.csproj), beside the assemblies,
        // so run, test and publish all find it.
        var files = new PhysicalFileProvider(Path.Combine(AppContext.BaseDirectory, "Ide", "bcp"));
        if (!files.GetFileInfo("index.html").Exists)
        {
            throw new InvalidOperationException(
                $"Banana Cake Pop is missing from {files.Root}: build Imail.Api (it runs npm ci in src/Imail.Api/Ide) or set Imail:Ide:Enabled=false.");
        }
        var contentTypes = new FileExtensionContentTypeProvider();

        // Order -1 outranks the transport's "/graphql"; IdeRequestConstraint steps aside for GraphQL requests.
        var pattern = RoutePatternFactory.Parse("/graphql/{**path}", defaults: null, parameterPolicies: new { path = new IdeRequestConstraint() });
        app.Map(pattern, (HttpRequest request, string? path) =>
            {
                if (string.IsNullOrEmpty(path))
                {
                    // The page loads its assets relative to its own URL, so that URL must end with a slash.
                    if (!request.Path.Value!.EndsWith('/'))
                    {
                        return Results.Redirect($"{request.PathBase}/graphql/{request.QueryString}");
                    }
                    path = "index.html";
                }
                else if (path == "bcp-config.json")
                {
                    // Keys read by BCP 18's bundle; telemetry off, and no sign-in, so it works offline.
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
            .WithMetadata(new HttpMethodMetadata([HttpMethods.Get, HttpMethods.Head]))
            .WithOrder(-1)
            .ExcludeFromDescription();

        return app;
    }
}
