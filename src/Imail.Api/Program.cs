using Imail.Api.Auth;
using Imail.Api.Consents;
using Imail.Api.GraphQL;
using Imail.Api.GraphQL.Http;
using Imail.Api.Hosting;
using Imail.Api.Ide;
using Imail.Api.Lifecycle;
using Imail.Api.Partners;
using Imail.Worker;

var command = Commands.Name(args);
var builder = WebApplication.CreateBuilder(args);
try
{
    // Logs: readable in Development, JSON lines elsewhere.
    builder.AddImailLogging();

    // Time: every rule reads it from here; tests replace it.
    builder.Services.AddSingleton(TimeProvider.System);

    // PostgreSQL: ConnectionStrings:Imail, or the private development cluster.
    await builder.AddImailDatabaseAsync(connect: Commands.NeedsDatabase(command));

    // Who is calling: JWT bearer tokens, roles user/partner/staff.
    builder.AddImailAuth();

    // Consents (P5): the 13-month rules and the key receipts are signed with.
    builder.AddImailConsents();

    // The schema and its execution: feature folders add their fields.
    builder.AddImailGraphQL();

    // GraphQL over HTTP, WebSocket and SSE, with our own transport.
    builder.AddImailTransport();

    // Partner events for subscribers: this replica LISTENs for what the workers log.
    builder.AddImailPartnerSubscriptions(listen: command == Commands.Serve);

    // Liveness and readiness.
    if (Commands.NeedsDatabase(command)) builder.AddImailHealth();

    // Development without an SMTP server: an in-process mailbox, readable at /dev/mail.
    if (command == Commands.Serve) builder.AddImailDevMailbox();

    // The worker's jobs, in-process unless Imail:Worker:InProcess is false.
    if (command == Commands.Serve && builder.Configuration.GetValue("Imail:Worker:InProcess", true)) builder.AddImailWorker();

    var app = builder.Build();
    app.UseImailAuth();
    app.MapImailIde();
    app.MapImailGraphQL();
    app.MapPersonalDataExport();
    app.MapImailDevMailbox();
    if (Commands.NeedsDatabase(command)) app.MapImailHealth();
    app.PrintDevelopmentBanner();

    return await Commands.RunAsync(app, command, args);
}
catch (StartupException e)
{
    Console.Error.WriteLine(e.Message);
    return 2;
}
catch (Microsoft.Extensions.Options.OptionsValidationException e)
{
    // Configuration that cannot work (a missing key, a bad cron): say what to set, not a stack trace.
    foreach (var failure in e.Failures) Console.Error.WriteLine(failure);
    return 2;
}

/// <summary>The API host; public for the test host.</summary>
public partial class Program;
