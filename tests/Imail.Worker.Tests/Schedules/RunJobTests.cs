using Imail.Worker.Schedules;
using Imail.Worker.Tests.Purge;

namespace Imail.Worker.Tests.Schedules;

/// <summary>Console output is one per process: these tests run alone, after the others.</summary>
[CollectionDefinition(nameof(ConsoleOutput), DisableParallelization = true)]
public sealed class ConsoleOutput;

/// <summary><c>run-job NAME [--dry-run]</c> as operators type it, through the worker program (which reads the real clock).</summary>
[Collection(nameof(ConsoleOutput))]
public sealed class RunJobTests : IAsyncLifetime
{
    private readonly PurgeDatabase _db = new();

    public Task InitializeAsync() => _db.InitializeAsync();
    public Task DisposeAsync() => _db.DisposeAsync();

    [Fact]
    public async Task ADryRun_PrintsTheCount_ChangesNothing_AndExits0()
    {
        await _db.ExecuteAsync($"""
            INSERT INTO navigation_events (id, visitor_id, kind, name, front_end, occurred_at)
            SELECT gen_random_uuid(), gen_random_uuid(), 'PageView', '/inbox', 'web', '{DateTimeOffset.UtcNow.AddMonths(-14):O}'::timestamptz
            FROM generate_series(1, 3)
            """);

        var (exitCode, output, _) = await RunJobAsync("navigation-purge", $"--ConnectionStrings:Imail={_db.ConnectionString}", "--dry-run");

        Assert.Equal(0, exitCode);
        Assert.Contains("navigation-purge, dry run: 3 navigation events would be deleted (occurred before ", output);
        Assert.Equal(3L, await _db.ScalarAsync<long>("SELECT count(*) FROM navigation_events"));
    }

    [Fact]
    public async Task AnUnknownJob_IsNamedInASentence_ThatListsTheJobs_AndExits2()
    {
        var (exitCode, _, error) = await RunJobAsync("navigation-purges", $"--ConnectionStrings:Imail={_db.ConnectionString}");

        Assert.Equal(2, exitCode);
        Assert.Equal("There is no job named 'navigation-purges'; the jobs are outbox-cleanup, consent-expiry, navigation-purge, consent-proof-purge, security-log-purge, connected-account-purge, inactivity and policy-takes-effect.",
            error.Trim());
    }

    [Fact]
    public async Task ADryRunOfAJobThatIsNotAPurge_IsRefused_AndChangesNothing()
    {
        var (exitCode, _, error) = await RunJobAsync("consent-expiry", $"--ConnectionStrings:Imail={_db.ConnectionString}", "--dry-run");

        Assert.Equal(2, exitCode);
        Assert.Equal("consent-expiry has no dry run; these jobs have one: outbox-cleanup, navigation-purge, consent-proof-purge, security-log-purge, connected-account-purge, inactivity and policy-takes-effect.", error.Trim());
    }

    [Fact]
    public async Task DryRunBeforeAConfigurationSwitch_IsRefused_RatherThanLosingTheSwitch()
    {
        var (exitCode, _, error) = await RunJobAsync("navigation-purge", "--dry-run", $"--ConnectionStrings:Imail={_db.ConnectionString}");

        Assert.Equal(2, exitCode);
        Assert.StartsWith("--dry-run goes last", error.Trim());
    }

    private static async Task<(int ExitCode, string Output, string Error)> RunJobAsync(params string[] args)
    {
        var (output, error) = (new StringWriter(), new StringWriter());
        var (originalOutput, originalError) = (Console.Out, Console.Error);
        Console.SetOut(output);
        Console.SetError(error);
        try
        {
            var exitCode = await WorkerProgram.Main([ScheduledJobs.RunJobCommand, .. args]);
            return (exitCode, output.ToString(), error.ToString());
        }
        finally
        {
            Console.SetOut(originalOutput);
            Console.SetError(originalError);
        }
    }
}
