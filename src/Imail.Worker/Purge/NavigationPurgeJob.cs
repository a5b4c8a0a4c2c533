using Imail.Domain.DataCategories;
using Imail.Worker.Schedules;
using Quartz;

namespace Imail.Worker.Purge;

/// <summary>P6/P7: navigation events are kept for the retention of the <c>navigation</c> category, then deleted.</summary>
[DisallowConcurrentExecution]
public sealed class NavigationPurgeJob(PurgeServices services) : RetentionPurge(services)
{
    protected override string Category => DataCategoryCodes.Navigation;

    // Read through ix_navigation_events_occurred_at.
    protected override IEnumerable<PurgeStep> Steps(RetentionLimit limit) =>
    [
        PurgeStep.Delete("navigation events", limit.Why("occurred before"),
            "navigation_events", $"occurred_at < {limit.Before}", orderBy: "occurred_at", lockRows: false),
    ];
}
