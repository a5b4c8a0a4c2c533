using Quartz;

namespace Imail.Worker.Schedules;

/// <summary>
/// A schedule's work, apart from Quartz: the trigger calls it, and so does an operator with
/// <c>run-job</c>. Each run works in bounded batches and is idempotent, so a run by hand next to a
/// scheduled one, or a run repeated after a crash, does no harm.
/// </summary>
public interface IImailJob
{
    /// <summary>Does what is due now; returns what was done, in one line starting with the job's name, for the operator.</summary>
    Task<string> RunOnceAsync(CancellationToken ct);
}

/// <summary>A job that can say what it would do without doing it: <c>run-job NAME --dry-run</c>. The purges can.</summary>
public interface IDryRunJob : IImailJob
{
    /// <summary>Counts what a run would do now, and changes nothing; returns it in one line, as <see cref="IImailJob.RunOnceAsync"/>.</summary>
    Task<string> DryRunOnceAsync(CancellationToken ct);
}

/// <summary>
/// A job that enforces the retention of data categories of the registry (P7, P8): every category with a
/// retention must be named by one (a test checks it), or its data would be kept for ever.
/// </summary>
public interface IRetentionJob
{
    /// <summary>The codes of the categories whose data this job deletes when their retention is reached.</summary>
    IReadOnlyCollection<string> Categories { get; }
}

/// <summary>Adapts a job to Quartz. Concrete jobs carry <c>[DisallowConcurrentExecution]</c> themselves.</summary>
public abstract class ImailJob<TResult> : IJob, IImailJob where TResult : notnull
{
    public abstract Task<TResult> RunAsync(CancellationToken ct);

    async ValueTask IJob.Execute(IJobExecutionContext context, CancellationToken cancellationToken) =>
        await RunAsync(cancellationToken);

    async Task<string> IImailJob.RunOnceAsync(CancellationToken ct) => (await RunAsync(ct)).ToString()!;
}

/// <summary>
/// One schedule: the name operators type (<c>run-job outbox-cleanup</c>), its configuration section
/// under <c>Imail:Schedules</c>, its default cron and its job.
/// </summary>
public sealed record ScheduledJob(string Name, string Section, string DefaultCron, Type JobType, string Description)
{
    public string ConfigurationPath => $"{SchedulesOptions.Section}:{Section}";

    public JobKey JobKey => new(Name, ScheduledJobs.Group);

    public TriggerKey TriggerKey => new(Name, ScheduledJobs.Group);

    /// <summary>Rows per statement unless <c>Imail:Schedules:{Section}:BatchSize</c> says otherwise.</summary>
    public int DefaultBatchSize { get; init; } = 5_000;

    internal static ScheduledJob Create<TJob>(string name, string section, string defaultCron, string description)
        where TJob : class, IJob, IImailJob => new(name, section, defaultCron, typeof(TJob), description);
}
