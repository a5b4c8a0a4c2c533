using Imail.Domain.DataCategories;
using Imail.Worker.Schedules;
using Quartz;

namespace Imail.Worker.Purge;

/// <summary>
/// P7/P8: the security logs the system keeps about staff and erasures live for the retention of the
/// <c>security_logs</c> category, counted from the event: staff actions, erasure records, deletion
/// requests once closed (an open request is still work to do, however old), and the statistics request log (P3).
/// </summary>
[DisallowConcurrentExecution]
public sealed class SecurityLogPurgeJob(PurgeServices services) : RetentionPurge(services)
{
    protected override string Category => DataCategoryCodes.SecurityLogs;

    // Each read through its index: ix_staff_actions_at, ix_erasures_erased_at, ix_deletion_requests_closed_at (partial), ix_statistics_requests_asked_at.
    protected override IEnumerable<PurgeStep> Steps(RetentionLimit limit) =>
    [
        PurgeStep.Delete("staff actions", limit.Why("done before"),
            "staff_actions", $"at < {limit.Before}", orderBy: "at", lockRows: false),
        PurgeStep.Delete("erasure records", limit.Why("erased before"),
            "erasures", $"erased_at < {limit.Before}", orderBy: "erased_at", lockRows: false),
        PurgeStep.Delete("closed deletion requests", limit.Why("closed before"),
            "deletion_requests", $"closed_at IS NOT NULL AND closed_at < {limit.Before}", orderBy: "closed_at"),
        PurgeStep.Delete("statistics requests", limit.Why("asked before"),
            "statistics_requests", $"asked_at < {limit.Before}", orderBy: "asked_at", lockRows: false),
    ];
}
