using Imail.Domain.Consents;
using Imail.Domain.Persistence;
using Imail.Worker.Consents;
using Imail.Worker.Lifecycle;
using Imail.Worker.Partners;
using Imail.Worker.Purge;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Npgsql;
using Quartz;

namespace Imail.Worker.Schedules;

public static class ScheduleExtensions
{
    /// <summary>The scheduler's name: every node sharing a database and this name is one cluster.</summary>
    public const string SchedulerName = "imail";

    /// <summary>
    /// Quartz with a clustered job store in the Imail database (tables from the EF migrations), firing
    /// each schedule once per period whatever the number of workers. Schedules come from
    /// <c>Imail:Schedules</c>; <c>Imail:Schedules:Enabled=false</c> keeps this process out of the cluster.
    /// </summary>
    public static IHostApplicationBuilder AddImailSchedules(this IHostApplicationBuilder builder)
    {
        builder.Services.AddImailJobs();
        var settings = builder.Configuration.GetSection(SchedulesOptions.Section).Get<SchedulesOptions>() ?? new SchedulesOptions();
        if (!settings.Enabled) return builder;

        var connectionString = builder.Configuration.GetConnectionString(DatabaseSetup.ConnectionStringName);
        if (string.IsNullOrWhiteSpace(connectionString))
            throw new InvalidOperationException("The schedules need ConnectionStrings:Imail (the database their Quartz tables live in).");
        if (!TimeZoneInfo.TryFindSystemTimeZoneById(settings.TimeZone, out var timeZone))
            throw new InvalidOperationException($"{SchedulesOptions.Section}:TimeZone '{settings.TimeZone}' is not a time zone id (e.g. Europe/Brussels).");

        builder.AddQuartz(quartz =>
        {
            // Firing and cluster check-ins run on the wall clock the other nodes share; the jobs' rules
            // read the application's TimeProvider, which tests move.
            quartz.UseTimeProvider(TimeProvider.System);
            quartz.ConfigureScheduler(s => s.InstanceName = SchedulerName);
            quartz.UseDefaultThreadPool(2);
            quartz.UsePersistentStore(store =>
            {
                store.UsePostgres(new NpgsqlConnectionStringBuilder(connectionString) { ApplicationName = "imail-quartz" }.ConnectionString);
                store.UseClustering();
                store.UseSystemTextJsonSerializer();
            });
        });
        // Before Quartz's own hosted service: the stored schedules are in line with the configuration when the
        // scheduler starts firing.
        builder.Services.AddSingleton(new StoredSchedules.Zone(timeZone));
        builder.Services.AddHostedService<StoredSchedules>();
        builder.AddQuartzHostedService(o => o.WaitForJobsToComplete = true);
        return builder;
    }

    /// <summary>The jobs and their options, without Quartz: what running a job by hand needs.</summary>
    public static IServiceCollection AddImailJobs(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddOptions<SchedulesOptions>().BindConfiguration(SchedulesOptions.Section);
        services.AddOptions<OutboxCleanupOptions>().BindConfiguration(OutboxCleanupOptions.Section)
            .Validate(o => o.PurgePayloadAfter >= TimeSpan.Zero, "Imail:Outbox:PurgePayloadAfter cannot be negative.")
            .ValidateOnStart();
        services.AddPartnerEventOptions();
        services.AddOptions<InactivityOptions>().BindConfiguration(InactivityOptions.Section)
            .Validate(o => o.GracePeriod > TimeSpan.Zero, "Imail:Inactivity:GracePeriod must be positive.")
            .ValidateOnStart();
        services.AddOptions<ConsentExpiryOptions>().BindConfiguration(ConsentExpiryOptions.Section)
            .Validate(o => o.RenewalReminderStaleAfter > TimeSpan.Zero, "Imail:Consents:RenewalReminderStaleAfter must be positive.")
            .ValidateOnStart();
        services.TryAddTransient<PurgeServices>();
        // The consent rules (P5), bound as the API binds them, for consent-expiry in a worker of its own.
        services.AddOptions<ConsentRules>().BindConfiguration(ConsentRules.Section);
        services.TryAddSingleton(sp => sp.GetRequiredService<IOptions<ConsentRules>>().Value);
        foreach (var job in ScheduledJobs.All)
        {
            services.AddOptions<ScheduleOptions>(job.Name)
                .Configure(o => (o.Cron, o.BatchSize) = (job.DefaultCron, job.DefaultBatchSize))
                .BindConfiguration(job.ConfigurationPath)
                .Validate(o => !o.Enabled || IsSwitchedOff(o.Cron) || CronExpression.TryParse(o.Cron, out _),
                    $"{job.ConfigurationPath}:Cron is not a Quartz cron expression (seconds minutes hours day-of-month month day-of-week).")
                .Validate(o => o.BatchSize > 0, $"{job.ConfigurationPath}:BatchSize must be positive.")
                .ValidateOnStart();
            services.TryAddTransient(job.JobType);
        }
        return services;
    }

    private const string SwitchedOff = "-";

    internal static bool IsSwitchedOff(string cron) => cron.Trim() == SwitchedOff;
}
