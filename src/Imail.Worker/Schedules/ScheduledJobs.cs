using Imail.Domain.Persistence;
using Imail.Worker.Consents;
using Imail.Worker.Lifecycle;
using Imail.Worker.Policies;
using Imail.Worker.Purge;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;

namespace Imail.Worker.Schedules;

/// <summary>The schedules, and running one by hand (<c>run-job NAME</c>) for operators.</summary>
public static class ScheduledJobs
{
    public const string RunJobCommand = "run-job";

    /// <summary>The Quartz group every Imail job and trigger lives in.</summary>
    public const string Group = "imail";

    /// <summary>P7: delivered outbox messages lose their payload, then are removed at the registry's retention.</summary>
    public static readonly ScheduledJob OutboxCleanup = ScheduledJob.Create<OutboxCleanupJob>(
        "outbox-cleanup", "OutboxCleanup", "0 17 * * * ?",
        "Empties the payload of delivered outbox messages (and of dead ones to be forgotten on delivery) after Imail:Outbox:PurgePayloadAfter and deletes delivered and discarded ones after the delivery_logs retention; deletes partner events logged longer ago than Imail:Partners:EventRetention.");

    /// <summary>P5: consent periods end at their expiry; a signed-up person gets one renewal reminder per period.</summary>
    public static readonly ScheduledJob ConsentExpiry = ScheduledJob.Create<ConsentExpiryJob>(
        "consent-expiry", "ConsentExpiry", "0 * * * * ?",
        "Ends consent periods at their expiry (first deposit + 13 months) and queues one renewal reminder e-mail per period to signed-up users.");

    /// <summary>P6/P7: navigation events are deleted past the registry's navigation retention, 10,000 per statement (B5: about 30 ms each).</summary>
    public static readonly ScheduledJob NavigationPurge = ScheduledJob.Create<NavigationPurgeJob>(
        "navigation-purge", "NavigationPurge", "0 23 * * * ?",
        "Deletes navigation events older than the navigation retention of the data-category registry.") with
    { DefaultBatchSize = 10_000 };

    /// <summary>P5/P7: ended consent periods, their choices and proofs are deleted past the registry's consent_proofs retention.</summary>
    public static readonly ScheduledJob ConsentProofPurge = ScheduledJob.Create<ConsentProofPurgeJob>(
        "consent-proof-purge", "ConsentProofPurge", "0 41 3 * * ?",
        "Deletes ended consent periods, with their choices and proofs of consent, whose last decision is older than the consent_proofs retention of the data-category registry, and the anonymous copies of proofs kept after an erasure.");

    /// <summary>P7/P8: staff actions, erasure records and closed deletion requests are deleted past the registry's security_logs retention.</summary>
    public static readonly ScheduledJob SecurityLogPurge = ScheduledJob.Create<SecurityLogPurgeJob>(
        "security-log-purge", "SecurityLogPurge", "0 47 3 * * ?",
        "Deletes staff actions, erasure records and closed deletion requests older than the security_logs retention of the data-category registry.");

    /// <summary>P4/P7: connected accounts not connected again within the registry's connected_account_profile retention are deleted, with what they shared.</summary>
    public static readonly ScheduledJob ConnectedAccountPurge = ScheduledJob.Create<ConnectedAccountPurgeJob>(
        "connected-account-purge", "ConnectedAccountPurge", "0 53 3 * * ?",
        "Deletes connected accounts, with every field they shared, not connected or reconnected within the connected_account_profile retention of the data-category registry.");

    /// <summary>P9: accounts unused for the registry's account retention are invited to sign in; still unused at the deadline, erased (P8).</summary>
    public static readonly ScheduledJob Inactivity = ScheduledJob.Create<InactivityJob>(
        "inactivity", "Inactivity", "0 7 10 * * ?",
        "Invites accounts not authenticated for the account retention of the data-category registry to sign in before a deadline (Imail:Inactivity:GracePeriod), and erases those still unused at their deadline.");

    /// <summary>P13: partners hear once that a published version took effect, when its effective date passes.</summary>
    public static readonly ScheduledJob PolicyTakesEffect = ScheduledJob.Create<PolicyTakesEffectJob>(
        "policy-takes-effect", "PolicyTakesEffect", "0 * * * * ?",
        "Queues the partner event policyVersionTakesEffect once for each published policy version whose effective date has passed.") with
    { DefaultBatchSize = 100 };

    public static IReadOnlyList<ScheduledJob> All { get; } =
        [OutboxCleanup, ConsentExpiry, NavigationPurge, ConsentProofPurge, SecurityLogPurge, ConnectedAccountPurge, Inactivity, PolicyTakesEffect];

    public static IReadOnlyList<string> Names { get; } = All.Select(j => j.Name).ToList();

    public static ScheduledJob? Find(string name) =>
        All.FirstOrDefault(j => string.Equals(j.Name, name, StringComparison.OrdinalIgnoreCase));

    public const string DryRunSwitch = "--dry-run";

    /// <summary>
    /// Runs one job now, in this process, whether or not schedules run here, and prints what it did; a dry
    /// run (purges and inactivity) prints what it would do and changes nothing. Returns 0 when it ran, 2 for an unknown
    /// name or a dry run of a job that has none. <paramref name="services"/> must offer the configuration and
    /// the <see cref="ImailDbContext"/> factory; its logger factory and <see cref="TimeProvider"/> are used when present.
    /// </summary>
    public static async Task<int> RunJobByNameAsync(IServiceProvider services, string jobName, bool dryRun = false, CancellationToken ct = default)
    {
        var job = Find(jobName);
        if (job is null)
        {
            Console.Error.WriteLine($"There is no job named '{jobName}'; the jobs are {Listed(Names)}.");
            return 2;
        }
        if (dryRun && !job.JobType.IsAssignableTo(typeof(IDryRunJob)))
        {
            Console.Error.WriteLine($"{job.Name} has no dry run; these jobs have one: {Listed(All.Where(j => j.JobType.IsAssignableTo(typeof(IDryRunJob))).Select(j => j.Name))}.");
            return 2;
        }
        await using var jobServices = JobServices(services);
        await using var scope = jobServices.CreateAsyncScope();
        var instance = scope.ServiceProvider.GetRequiredService(job.JobType);
        Console.WriteLine(dryRun ? await ((IDryRunJob)instance).DryRunOnceAsync(ct) : await ((IImailJob)instance).RunOnceAsync(ct));
        return 0;
    }

    /// <summary>
    /// <c>run-job NAME [--dry-run]</c> from a program's command line: <paramref name="args"/> are the arguments
    /// after <c>run-job</c> (configuration switches such as <c>--Imail:Outbox:PurgePayloadAfter=2.00:00:00</c>
    /// may follow the name). Ctrl+C stops between batches. Exit codes: 0 ran, 1 failed or stopped, 2 usage.
    /// </summary>
    public static async Task<int> RunFromCommandLineAsync(IServiceProvider services, IReadOnlyList<string> args)
    {
        if (UsageProblem(args) is { } problem)
        {
            Console.Error.WriteLine(problem);
            return 2;
        }
        var dryRun = args.Contains(DryRunSwitch);
        using var cancel = new CancellationTokenSource();
        ConsoleCancelEventHandler onCancel = (_, e) => { e.Cancel = true; cancel.Cancel(); };
        Console.CancelKeyPress += onCancel;
        try
        {
            return await RunJobByNameAsync(services, args[0], dryRun, cancel.Token);
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            Console.Error.WriteLine(dryRun ? $"{args[0]}: stopped; nothing changed." : $"{args[0]}: stopped; the batches already done stay done.");
            return 1;
        }
        catch (Exception e)
        {
            Console.Error.WriteLine($"{args[0]} failed: {e}");
            return 1;
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
    }

    /// <summary>What is wrong with the arguments after <c>run-job</c>, in a sentence; null when nothing is.</summary>
    public static string? UsageProblem(IReadOnlyList<string> args)
    {
        if (args.Count == 0 || args[0].StartsWith('-'))
            return $"usage: {RunJobCommand} NAME [{DryRunSwitch}]   (jobs: {string.Join(", ", Names)})";
        // The host's configuration reads "--dry-run --Key=value" as dry-run = "--Key=value": the setting would be lost.
        if (args.Contains(DryRunSwitch) && args[^1] != DryRunSwitch)
            return $"{DryRunSwitch} goes last, after any configuration switch: the configuration reads the argument after it as its value.";
        return null;
    }

    private static string Listed(IEnumerable<string> names)
    {
        var list = names.ToList();
        return list.Count < 2 ? string.Concat(list) : $"{string.Join(", ", list[..^1])} and {list[^1]}";
    }

    /// <summary>
    /// The jobs and their options over the host's configuration, database and clock. Built here rather
    /// than asked of the host, so a host that does not run schedules (the API's commands) can run a job.
    /// </summary>
    private static ServiceProvider JobServices(IServiceProvider host)
    {
        var services = new ServiceCollection();
        services.AddSingleton(host.GetRequiredService<IConfiguration>());
        services.AddSingleton(host.GetRequiredService<IDbContextFactory<ImailDbContext>>());
        services.AddSingleton(host.GetService<TimeProvider>() ?? TimeProvider.System);
        services.AddSingleton(host.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance);
        services.AddSingleton(typeof(ILogger<>), typeof(Logger<>));
        services.AddImailJobs();
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
    }
}
