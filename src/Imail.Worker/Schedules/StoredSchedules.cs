using Microsoft.Extensions.Options;
using Quartz;

namespace Imail.Worker.Schedules;

/// <summary>
/// Brings the schedules stored in the cluster in line with this node's configuration as it starts, touching
/// a stored trigger only when its schedule differs. Replacing an unchanged trigger is not harmless: a trigger
/// replaced while another node runs it is stored as waiting, not blocked, and the other node's period fires
/// a second time (seen when two workers started together).
/// </summary>
internal sealed class StoredSchedules(
    ISchedulerFactory schedulers, IOptionsMonitor<ScheduleOptions> options, StoredSchedules.Zone zone,
    ILogger<StoredSchedules> log) : IHostedService
{
    /// <summary>The time zone crons are read in (<c>Imail:Schedules:TimeZone</c>), resolved once at start-up.</summary>
    internal sealed record Zone(TimeZoneInfo TimeZone);

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var scheduler = await schedulers.GetScheduler(cancellationToken);
        foreach (var job in ScheduledJobs.All)
        {
            // A job's details (type, description, no concurrent runs) can be replaced under a running trigger.
            var details = JobBuilder.Create().OfType(job.JobType).WithIdentity(job.JobKey).WithDescription(job.Description).StoreDurably().Build();
            await scheduler.AddJob(details, AddJobOptions.Replacing, cancellationToken);

            var wanted = options.Get(job.Name);
            var stored = await scheduler.GetTrigger(job.TriggerKey, cancellationToken);
            if (!wanted.Enabled || ScheduleExtensions.IsSwitchedOff(wanted.Cron))
            {
                if (stored is not null && await scheduler.UnscheduleJob(job.TriggerKey, cancellationToken))
                    log.LogInformation("Schedule {Job} switched off: its trigger is removed from the cluster.", job.Name);
                continue;
            }
            if (stored is ICronTrigger cron && cron.CronExpressionString == wanted.Cron && cron.TimeZone.Id == zone.TimeZone.Id
                && cron.MisfireInstruction == CronTriggerMisfireInstruction.FireAndProceed && cron.Description == job.Description)
                continue;

            var trigger = TriggerBuilder.Create()
                .WithIdentity(job.TriggerKey)
                .ForJob(job.JobKey)
                .WithDescription(job.Description)
                // Quartz fires on the wall clock the nodes share, not on the application's TimeProvider.
                .StartAt(TimeProvider.System.GetUtcNow())
                .WithCronSchedule(wanted.Cron, c => c
                    .InTimeZone(zone.TimeZone)
                    // After an outage, one catch-up run rather than one per missed period.
                    .WithMisfireInstruction(CronTriggerMisfireInstruction.FireAndProceed))
                .Build();
            try
            {
                if (stored is null) await scheduler.ScheduleJob(trigger, new ScheduleJobOptions(), cancellationToken);
                else await scheduler.RescheduleJob(job.TriggerKey, trigger, cancellationToken);
                log.LogInformation("Schedule {Job} stored: {Cron} ({TimeZone}).", job.Name, wanted.Cron, zone.TimeZone.Id);
            }
            catch (ObjectAlreadyExistsException)
            {
                // Another node starting at the same moment stored it first.
            }
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
