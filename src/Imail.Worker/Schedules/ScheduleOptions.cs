namespace Imail.Worker.Schedules;

/// <summary>What every schedule shares: <c>Imail:Schedules</c>.</summary>
public sealed class SchedulesOptions
{
    public const string Section = "Imail:Schedules";

    /// <summary>
    /// Whether this process takes part in the Quartz cluster. Off, it fires nothing (other nodes still
    /// do); operators can still run a job by hand.
    /// </summary>
    public bool Enabled { get; set; } = true;

    /// <summary>The zone cron expressions are read in: "every day at 03:00" means 03:00 in Brussels, summer and winter.</summary>
    public string TimeZone { get; set; } = "Europe/Brussels";
}

/// <summary>One schedule: <c>Imail:Schedules:{Job}</c>, e.g. <c>Imail:Schedules:OutboxCleanup:Cron</c>.</summary>
public sealed class ScheduleOptions
{
    /// <summary>Quartz cron expression (seconds first), read in <see cref="SchedulesOptions.TimeZone"/>.</summary>
    public string Cron { get; set; } = "";

    /// <summary>
    /// Off: the trigger is removed from the shared store when a node starts, so no node fires it. Set it
    /// the same on every node, or each start undoes the last.
    /// </summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Rows per statement: each statement stays short, however much there is to do.</summary>
    public int BatchSize { get; set; } = 5_000;
}
