using Imail.Domain.DataCategories;
using Imail.Worker.Schedules;
using Quartz;

namespace Imail.Worker.Purge;

/// <summary>
/// P5/P7/P8: proofs of consent are kept for the retention of the <c>consent_proofs</c> category, counted
/// from the decision. A consent period goes, with its choices and its records (ON DELETE CASCADE), once it
/// has ended and its last decision is older than that; a current period is never deleted, however old.
/// Then the devices nothing names any more, and the anonymous copies of proofs an erasure kept.
/// </summary>
[DisallowConcurrentExecution]
public sealed class ConsentProofPurgeJob(PurgeServices services) : RetentionPurge(services)
{
    protected override string Category => DataCategoryCodes.ConsentProofs;

    protected override IEnumerable<PurgeStep> Steps(RetentionLimit limit) =>
    [
        // The first deposit is the period's first decision (no record predates it), so "first_deposit_at <
        // before" only narrows the scan, and also covers a period left without records.
        PurgeStep.Delete("ended consent periods with their choices and proofs", limit.Why("last decision before"),
            "consents", $"""
            c.ended_at IS NOT NULL AND c.first_deposit_at < {limit.Before}
              AND NOT EXISTS (SELECT 1 FROM consent_records AS r WHERE r.consent_id = c.id AND r.decided_at >= {limit.Before})
            """, orderBy: "c.first_deposit_at", alias: "c"),
        // Its cookie ended before the same limit and no period, proof or navigation event names it: its id proves nothing left.
        PurgeStep.Delete("devices nothing names any more", limit.Why("cookie ended before"),
            "visitors", $"""
            v.cookie_expires_at < {limit.Before}
              AND NOT EXISTS (SELECT 1 FROM consents AS c WHERE c.visitor_id = v.id)
              AND NOT EXISTS (SELECT 1 FROM consent_records AS r WHERE r.visitor_id = v.id)
              AND NOT EXISTS (SELECT 1 FROM navigation_events AS n WHERE n.visitor_id = v.id)
            """, orderBy: "v.cookie_expires_at", alias: "v"),
        // The copies an erasure keeps (P8), linked to nobody, dated by the day only: a day goes once all of it
        // is past the limit. Read through ix_anonymous_consent_proofs_decided_on.
        PurgeStep.Delete("anonymous proofs kept after an erasure", limit.Why("decided on a day before"),
            "anonymous_consent_proofs", $"decided_on < {DateOnly.FromDateTime(limit.Before.UtcDateTime)}", orderBy: "decided_on", lockRows: false),
    ];
}
