using Imail.Domain.Common;
using Imail.Domain.Consents;

namespace Imail.Domain.Policies;

public enum PolicyDecisionKind
{
    Accepted,
    Refused,
}

/// <summary>
/// Proof of a person's answer to a version that lowers privacy (P13): who, which version, accepted or
/// refused, when, from which front-end. Never updated; the latest answer for a version counts. Category
/// <c>consent_proofs</c>: kept while it is the answer that decides which version governs the person's
/// data, erased with the account.
/// </summary>
public sealed class PolicyDecision
{
    private PolicyDecision() { }

    public Guid Id { get; private set; }
    public Guid UserId { get; private set; }

    /// <summary>The version's number (a foreign key: published versions are kept for ever).</summary>
    public string PolicyNumber { get; private set; } = "";

    public PolicyDecisionKind Decision { get; private set; }
    public DateTimeOffset DecidedAt { get; private set; }

    /// <summary>Which front-end the answer came from, if it said.</summary>
    public string? FrontEnd { get; private set; }

    public static PolicyDecision Record(Guid userId, PolicyVersion version, PolicyDecisionKind decision, string? frontEnd, DateTimeOffset now) => new()
    {
        Id = Ids.New(now),
        UserId = userId,
        PolicyNumber = version.Number,
        Decision = decision,
        DecidedAt = now,
        FrontEnd = string.IsNullOrWhiteSpace(frontEnd) ? null : DecisionContext.CheckFrontEnd(frontEnd),
    };
}
