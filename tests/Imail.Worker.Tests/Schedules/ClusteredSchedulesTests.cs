using System.Collections.Concurrent;
using System.Diagnostics;
using Imail.Domain.Persistence;
using Imail.Testing;
using Imail.Worker.Schedules;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;
using Quartz;
using Xunit.Abstractions;

namespace Imail.Worker.Tests.Schedules;

/// <summary>
/// The schedules as the worker runs them: Quartz's clustered job store in the Imail database,
/// hosts built by the production <c>AddImailSchedules()</c>.
/// </summary>
public sealed class ClusteredSchedulesTests(ITestOutputHelper output)
{
    private static readonly string[] QuartzTables =
    [
        "qrtz_blob_triggers", "qrtz_calendars", "qrtz_cron_triggers", "qrtz_execution_history", "qrtz_fired_triggers",
        "qrtz_job_details", "qrtz_job_status", "qrtz_locks", "qrtz_misfire_history", "qrtz_paused_job_grps",
        "qrtz_paused_trigger_grps", "qrtz_scheduler_state", "qrtz_simple_triggers", "qrtz_simprop_triggers", "qrtz_triggers",
    ];

    [Fact]
    public async Task TheMigrations_CreateQuartzTables()
    {
        var connectionString = await TestDatabase.CreateAsync();

        var tables = await QueryAsync<string>(connectionString,
            "SELECT table_name::text FROM information_schema.tables WHERE table_schema = 'public' AND table_name LIKE 'qrtz%' ORDER BY 1");

        Assert.Equal(QuartzTables, tables);
    }

    [Fact]
    public async Task TwoWorkers_FireEachPeriodOnce_AndOneCarriesOnWhenTheOtherStops()
    {
        var connectionString = await TestDatabase.CreateAsync();
        var firings = new ConcurrentQueue<(string Node, DateTimeOffset ScheduledFor)>();
        var settings = new Dictionary<string, string?>
        {
            ["Imail:Schedules:OutboxCleanup:Cron"] = "* * * * * ?",
            // A node that finds nothing due looks again after this (default 30 s): the takeover below waits on it.
            ["Quartz:Scheduler:IdleWaitTime"] = "00:00:01",
        };
        var nodes = new Dictionary<string, IHost>
        {
            ["first"] = Worker(connectionString, settings, "first", firings),
            ["second"] = Worker(connectionString, settings, "second", firings),
        };
        try
        {
            await Task.WhenAll(nodes.Values.Select(n => n.StartAsync()));
            await WaitForAsync(() => firings.Count >= 4, TimeSpan.FromSeconds(30));
            var members = await QueryAsync<string>(connectionString, "SELECT instance_name FROM qrtz_scheduler_state WHERE sched_name = 'imail'");
            output.WriteLine($"nodes: {string.Join(", ", members)}");
            Assert.Equal(2, members.Count);

            var stopped = firings.Last().Node;
            await nodes[stopped].StopAsync();
            var before = firings.Count;
            // Normally at once; if the stopped node left a firing behind, after its missed check-ins (~15 s).
            await WaitForAsync(() => firings.Skip(before).Count(f => f.Node != stopped) >= 3, TimeSpan.FromSeconds(60));
        }
        finally
        {
            await Task.WhenAll(nodes.Values.Select(n => n.StopAsync()));
            foreach (var node in nodes.Values) node.Dispose();
            output.WriteLine(string.Join("\n", firings.Select(f => $"{f.ScheduledFor:HH:mm:ss.fff} {f.Node}")));
        }

        var periods = firings.Select(f => f.ScheduledFor).ToList();
        Assert.True(periods.Count >= 7, $"{periods.Count} firings of a schedule firing every second.");
        Assert.Equal(periods.Count, periods.Distinct().Count());
    }

    /// <summary>Bounded waiting: a schedule that stops firing fails the test, rather than hanging it.</summary>
    private static async Task WaitForAsync(Func<bool> condition, TimeSpan limit)
    {
        var waited = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(waited.Elapsed < limit, $"Waited {limit.TotalSeconds} s for the schedule to fire.");
            await Task.Delay(100);
        }
    }

    [Theory]
    [InlineData("Enabled", "false")]
    [InlineData("Cron", "-")]
    public async Task TheSchedule_IsStoredWithItsCronInBrusselsTime_AndSwitchingItOffUnschedulesIt(string key, string value)
    {
        var connectionString = await TestDatabase.CreateAsync();
        using (var worker = Worker(connectionString))
        {
            await worker.StartAsync();
            await worker.StopAsync();
        }

        var stored = await QueryAsync<string>(connectionString, """
            SELECT concat_ws(' | ', t.trigger_name, t.trigger_group, c.cron_expression, c.time_zone_id, j.is_nonconcurrent::text, t.misfire_instr::text)
            FROM qrtz_triggers t
            JOIN qrtz_cron_triggers c USING (sched_name, trigger_name, trigger_group)
            JOIN qrtz_job_details j USING (sched_name, job_name, job_group)
            WHERE t.sched_name = 'imail'
            """);
        Assert.Equal([$"outbox-cleanup | imail | 0 17 * * * ? | Europe/Brussels | true | {(int)CronTriggerMisfireInstruction.FireAndProceed}"], stored);
        // As docs/schedules.md tells operators to read it: Quartz.NET stores .NET ticks.
        var next = await ScalarAsync<DateTime>(connectionString,
            "SELECT to_timestamp((next_fire_time - 621355968000000000) / 10000000.0) FROM qrtz_triggers");
        Assert.Equal(17, next.Minute);
        Assert.InRange(next - DateTime.UtcNow, TimeSpan.Zero, TimeSpan.FromHours(1));

        using (var worker = Worker(connectionString, new Dictionary<string, string?> { [$"Imail:Schedules:OutboxCleanup:{key}"] = value }))
        {
            await worker.StartAsync();
            await worker.StopAsync();
        }
        Assert.Equal(0L, await ScalarAsync<long>(connectionString, "SELECT count(*) FROM qrtz_triggers"));
    }

    [Fact]
    public async Task ANodeStartingWithTheSameSchedule_LeavesTheStoredTriggerAlone_AndAChangedCronReplacesIt()
    {
        // Replacing a trigger another node is running fires its period twice: a node only stores what changed.
        var connectionString = await TestDatabase.CreateAsync();
        const string Stored = "SELECT concat_ws(' | ', c.cron_expression, t.start_time::text) FROM qrtz_triggers t JOIN qrtz_cron_triggers c USING (sched_name, trigger_name, trigger_group)";
        async Task<string> StartAndStopAsync(string cron)
        {
            using var worker = Worker(connectionString, new Dictionary<string, string?> { ["Imail:Schedules:OutboxCleanup:Cron"] = cron });
            await worker.StartAsync();
            await worker.StopAsync();
            return await ScalarAsync<string>(connectionString, Stored);
        }

        var first = await StartAndStopAsync("0 17 * * * ?");
        await Task.Delay(1_100); // a replacement would store a later start time (Quartz keeps whole seconds)
        var same = await StartAndStopAsync("0 17 * * * ?");
        var changed = await StartAndStopAsync("0 42 3 * * ?");

        Assert.Equal(first, same);
        Assert.StartsWith("0 42 3 * * ? | ", changed);
    }

    [Fact]
    public async Task AnInvalidCron_StopsTheStart_NamingTheSetting()
    {
        var connectionString = await TestDatabase.CreateAsync();
        using var worker = Worker(connectionString, new Dictionary<string, string?> { ["Imail:Schedules:OutboxCleanup:Cron"] = "every hour" });

        var error = await Assert.ThrowsAnyAsync<Exception>(() => worker.StartAsync());

        Assert.Contains("Imail:Schedules:OutboxCleanup:Cron", error.Message);
    }

    /// <summary>A worker host with the production schedules; a listener notes which node ran which firing.</summary>
    private static IHost Worker(string connectionString, IDictionary<string, string?>? settings = null, string node = "worker",
        ConcurrentQueue<(string, DateTimeOffset)>? firings = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, EnvironmentName = "Testing" });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:Imail"] = connectionString,
            // These tests watch one schedule (outbox-cleanup); the others would only add firings to tell apart.
            ["Imail:Schedules:ConsentExpiry:Enabled"] = "false",
            ["Imail:Schedules:NavigationPurge:Enabled"] = "false",
            ["Imail:Schedules:ConsentProofPurge:Enabled"] = "false",
            ["Imail:Schedules:SecurityLogPurge:Enabled"] = "false",
            ["Imail:Schedules:ConnectedAccountPurge:Enabled"] = "false",
            ["Imail:Schedules:Inactivity:Enabled"] = "false",
            ["Imail:Schedules:PolicyTakesEffect:Enabled"] = "false",
        });
        builder.Configuration.AddInMemoryCollection(settings ?? new Dictionary<string, string?>());
        builder.Services.AddImailDatabase(connectionString);
        builder.AddImailSchedules();
        if (firings is not null) builder.Services.ConfigureAllQuartzSchedulers(q => q.AddJobListener(new FiringLog(node, firings), []));
        return builder.Build();
    }

    private sealed class FiringLog(string node, ConcurrentQueue<(string, DateTimeOffset)> firings) : IJobListener
    {
        public string Name => $"firings-{node}";

        public ValueTask JobWasExecuted(IJobExecutionContext context, JobExecutionException? jobException, CancellationToken cancellationToken = default)
        {
            if (context.ScheduledFireTimeUtc is { } scheduledFor) firings.Enqueue((node, scheduledFor));
            return ValueTask.CompletedTask;
        }
    }

    private static async Task<List<T>> QueryAsync<T>(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync();
        var values = new List<T>();
        while (await reader.ReadAsync()) values.Add(reader.GetFieldValue<T>(0));
        return values;
    }

    private static async Task<T> ScalarAsync<T>(string connectionString, string sql) => (await QueryAsync<T>(connectionString, sql))[0];
}
