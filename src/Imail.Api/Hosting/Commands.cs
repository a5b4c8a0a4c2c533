using GraphQL;
using GraphQL.Types;
using GraphQL.Utilities;
using Imail.Api.Auth;
using Imail.Worker.Schedules;

namespace Imail.Api.Hosting;

/// <summary>
/// The API program's sub-commands: <c>migrate</c>, <c>token</c>, <c>schema</c>, <c>run-job</c>. Without one, it serves.
/// They run on the same host and configuration as the server, so they see what it sees.
/// </summary>
public static class Commands
{
    public const string Serve = "serve";
    private static readonly string[] Known = ["migrate", "token", "schema", ScheduledJobs.RunJobCommand, Serve];

    public static string Name(string[] args) => args.Length > 0 && Known.Contains(args[0]) ? args[0] : Serve;

    /// <summary>Whether the command talks to the database (so the development cluster must be up).</summary>
    public static bool NeedsDatabase(string command) => command is Serve or "migrate" or ScheduledJobs.RunJobCommand;

    public static async Task<int> RunAsync(WebApplication app, string command, string[] args)
    {
        switch (command)
        {
            case "migrate":
                var applied = await DatabaseExtensions.MigrateAsync(app.Configuration);
                Console.WriteLine(applied.Count == 0 ? "The database is up to date." : $"Applied: {string.Join(", ", applied)}");
                return 0;
            case "token":
                return Token(app, args);
            case ScheduledJobs.RunJobCommand:
                return await ScheduledJobs.RunFromCommandLineAsync(app.Services, args[1..]);
            case "schema":
                Console.Write(Sdl(app.Services));
                return 0;
            default:
                await app.MigrateIfConfiguredAsync();
                await app.RunAsync();
                return 0;
        }
    }

    /// <summary>The schema as SDL with descriptions: what <c>schema.graphql</c> holds.</summary>
    public static string Sdl(IServiceProvider services)
    {
        var schema = services.GetRequiredService<ISchema>();
        schema.Initialize();
        return schema.Print(new PrintOptions { IncludeDescriptions = true, IncludeDeprecationReasons = true }).Trim() + "\n";
    }

    private static int Token(WebApplication app, string[] args)
    {
        string? Option(string name) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault();
        var role = Option("--role") ?? Roles.Staff;
        var subject = Option("--sub") ?? (role == Roles.User ? null : $"{role}-dev");
        if (!Roles.All.Contains(role) || subject is null)
        {
            Console.Error.WriteLine("usage: token [--role staff|partner|user] [--sub SUBJECT] (a user token needs --sub USER_ID)");
            return 2;
        }
        Console.WriteLine(app.Services.GetRequiredService<TokenIssuer>().Issue(role, subject));
        return 0;
    }
}
