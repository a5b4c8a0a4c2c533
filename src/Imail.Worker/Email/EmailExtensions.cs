using Imail.Domain.Common;
using Imail.Worker.Relay;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Imail.Worker.Email;

public static class EmailExtensions
{
    /// <summary>E-mail delivery for the outbox relay: Liquid templates per locale, MailKit over SMTP (<c>Imail:Smtp</c>, <c>Imail:Publisher</c>).</summary>
    public static IHostApplicationBuilder AddImailEmail(this IHostApplicationBuilder builder)
    {
        PublisherDefaults.AddTo(builder.Configuration);
        builder.Services.AddOptions<SmtpOptions>().BindConfiguration(SmtpOptions.Section);
        builder.Services.AddOptions<Publisher>().BindConfiguration(Publisher.Section);
        builder.Services.TryAddSingleton<EmailRenderer>();
        builder.Services.TryAddSingleton<EmailComposer>();
        builder.Services.TryAddSingleton<SmtpConnectionPool>();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IOutboxSender, EmailSender>());
        return builder;
    }
}
