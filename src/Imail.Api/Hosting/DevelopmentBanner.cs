using Imail.Api.Auth;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace Imail.Api.Hosting;

public static class DevelopmentBanner
{
    /// <summary>Once listening in Development: where the IDE is, and a staff token to paste into it.</summary>
    public static WebApplication PrintDevelopmentBanner(this WebApplication app)
    {
        if (!app.Environment.IsDevelopment()) return app;
        app.Lifetime.ApplicationStarted.Register(() =>
        {
            var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses
                .FirstOrDefault()?.Replace("0.0.0.0", "localhost").Replace("[::]", "localhost") ?? "http://localhost:5080";
            var token = app.Services.GetRequiredService<TokenIssuer>().Issue(Roles.Staff, "staff-dev");
            var mail = app.Services.GetService<DevMailbox>() is not null
                ? $"{address}/dev/mail (saved as .eml files in .local/mail/)"
                : $"sent to the SMTP server of Imail:Smtp";
            Console.WriteLine($"""

                Imail is running.
                  GraphQL IDE (Banana Cake Pop): {address}/graphql/
                  GraphQL endpoint:              {address}/graphql
                  Health:                        {address}/health/ready
                  E-mails sent:                  {mail}
                  Staff token (HTTP header in the IDE):
                    Authorization: Bearer {token}
                  Other tokens: ./imail token --role user --sub USER_ID
                  Stop with Ctrl+C.

                """);
        });
        return app;
    }
}
