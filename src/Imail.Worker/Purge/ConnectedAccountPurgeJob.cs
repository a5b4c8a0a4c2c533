using Imail.Domain.DataCategories;
using Imail.Worker.Schedules;
using Quartz;

namespace Imail.Worker.Purge;

/// <summary>
/// P4/P7/P8: what a connected service sent is kept for the retention of the <c>connected_account_profile</c>
/// category, counted from the last connection (a reconnection renews the grant and the data). A connected
/// account not connected again within it is deleted, with every field it shared (ON DELETE CASCADE).
/// </summary>
[DisallowConcurrentExecution]
public sealed class ConnectedAccountPurgeJob(PurgeServices services) : RetentionPurge(services)
{
    protected override string Category => DataCategoryCodes.ConnectedAccountProfile;

    // updated_at is set by a connection and by each reconnection. No index on it (a migration would add one):
    // the table has a few rows per account, and this runs once a day.
    protected override IEnumerable<PurgeStep> Steps(RetentionLimit limit) =>
    [
        PurgeStep.Delete("connected accounts with their shared fields", limit.Why("last connected before"),
            "connected_accounts", $"updated_at < {limit.Before}", orderBy: "updated_at"),
    ];
}
