using Imail.Worker.Relay;
using Microsoft.Extensions.Configuration.Json;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace Imail.Worker.Email;

public static class EmailExtensions
{
    /// <summary>The publisher's name, address and privacy contact, and the sender address: configuration, not code (P1).</summary>
    public const string PublisherDefaultsFile = "imail-publisher.json";

    /// <summary>E-mail delivery for the outbox relay: Liquid templates per locale, MailKit over SMTP (<c>Imail:Smtp</c>, <c>Imail:Publisher</c>).</summary>
    public static IHostApplicationBuilder AddImailEmail(this IHostApplicationBuilder builder)
    {
        AddPublisherDefaults(builder.Configuration);
        builder.Services.AddOptions<SmtpOptions>().BindConfiguration(SmtpOptions.Section);
        builder.Services.AddOptions<PublisherOptions>().BindConfiguration(PublisherOptions.Section);
        builder.Services.TryAddSingleton<EmailRenderer>();
        builder.Services.TryAddSingleton<EmailComposer>();
        builder.Services.TryAddSingleton<SmtpConnectionPool>();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IOutboxSender, EmailSender>());
        return builder;
    }

    /// <summary>Loads <see cref="PublisherDefaultsFile"/> at the lowest precedence (once): appsettings, environment variables and the command line still override it.</summary>
    public static void AddPublisherDefaults(IConfigurationBuilder configuration)
    {
        if (configuration.Sources.OfType<JsonConfigurationSource>().Any(s => s.Path == PublisherDefaultsFile)) return;
        configuration.Sources.Insert(0, new JsonConfigurationSource
        {
            FileProvider = new PhysicalFileProvider(AppContext.BaseDirectory),
            Path = PublisherDefaultsFile,
            Optional = false,
        });
    }
}
