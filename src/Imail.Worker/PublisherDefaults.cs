using Microsoft.Extensions.Configuration.Json;
using Microsoft.Extensions.FileProviders;

namespace Imail.Worker;

/// <summary>
/// The publisher's name, address and privacy contact, and the sender address (P1): one file,
/// <c>imail-publisher.json</c>, read by both hosts at the lowest precedence, so the e-mails and the
/// consent receipts name the same publisher and appsettings, environment variables and the
/// command line still override it.
/// </summary>
public static class PublisherDefaults
{
    public const string File = "imail-publisher.json";

    /// <summary>Adds the file once, below every other source.</summary>
    public static void AddTo(IConfigurationBuilder configuration)
    {
        if (configuration.Sources.OfType<JsonConfigurationSource>().Any(s => s.Path == File)) return;
        configuration.Sources.Insert(0, new JsonConfigurationSource
        {
            FileProvider = new PhysicalFileProvider(AppContext.BaseDirectory),
            Path = File,
            Optional = false,
        });
    }
}
