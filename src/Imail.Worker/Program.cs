using Imail.Domain.Persistence;
using Imail.Worker.Schedules;

namespace Imail.Worker;

public static class WorkerProgram
{
    public static async Task<int> Main(string[] args)
    {
        // A mistyped run-job is said as such, before a setting it swallowed is missed.
        if (args is [ScheduledJobs.RunJobCommand, .. var jobArgs] && ScheduledJobs.UsageProblem(jobArgs) is { } problem)
        {
            Console.Error.WriteLine(problem);
            return 2;
        }
        var builder = Host.CreateApplicationBuilder(args);
        var connectionString = builder.Configuration.GetConnectionString(DatabaseSetup.ConnectionStringName);
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            Console.Error.WriteLine("Set ConnectionStrings__Imail to the PostgreSQL database the API uses.");
            return 2;
        }
        builder.Services.AddImailDatabase(connectionString);

        // Operators: `run-job NAME` runs one schedule's job now, here, and exits; nothing else starts.
        if (args is [ScheduledJobs.RunJobCommand, ..])
        {
            using var host = builder.Build();
            return await ScheduledJobs.RunFromCommandLineAsync(host.Services, args[1..]);
        }

        builder.AddImailWorker();
        await builder.Build().RunAsync();
        return 0;
    }
}
