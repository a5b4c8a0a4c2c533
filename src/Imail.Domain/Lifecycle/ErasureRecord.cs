namespace Imail.Domain.Lifecycle;

/// <summary>Why an account was erased (P8–P11): every path goes through the same erasure.</summary>
public enum ErasureReason
{
    /// <summary>The person confirmed the deletion of their account themselves (P10).</summary>
    SelfService,

    /// <summary>Staff carried out a request made to the publisher (P10).</summary>
    Request,

    /// <summary>Three years without signing in, and no sign-in within the grace period (P9).</summary>
    Inactivity,

    /// <summary>Staff terminated the account for a terms-of-service violation (P11).</summary>
    Termination,
}

/// <summary>
/// What survives an erasure for accountability (P8): that it happened, when, why, by which role
/// (and which staff member), which data categories and how many rows of each table went. Nothing in
/// it identifies the person: <see cref="Subject"/> is the account's random audit reference, which
/// only the erased account row linked to them. Category <c>security_logs</c>.
/// </summary>
public sealed class ErasureRecord
{
    private ErasureRecord() { }

    public Guid Id { get; private set; }
    public DateTimeOffset ErasedAt { get; private set; }
    public ErasureReason Reason { get; private set; }

    /// <summary><c>user</c> (self-service), <c>staff</c>, or <c>system</c> (inactivity schedule).</summary>
    public string ByRole { get; private set; } = "";

    /// <summary>The staff member (token <c>sub</c>) when staff erased; null otherwise.</summary>
    public string? ByActor { get; private set; }

    /// <summary>The erased account's audit reference: ties this record to the staff actions about the same account.</summary>
    public Guid Subject { get; private set; }

    /// <summary>The deletion request carried out, if any.</summary>
    public Guid? RequestId { get; private set; }

    /// <summary>The data categories that held something about the person.</summary>
    public List<string> Categories { get; private set; } = [];

    /// <summary>JSON object: table → rows deleted or anonymized.</summary>
    public string Rows { get; private set; } = "{}";

    internal static ErasureRecord Of(ErasureReason reason, string byRole, string? byActor, Guid subject, Guid? requestId,
        IEnumerable<string> categories, IReadOnlyDictionary<string, int> rows, DateTimeOffset now) => new()
        {
            // Random, not time-ordered: the id says nothing beyond ErasedAt.
            Id = Guid.NewGuid(),
            ErasedAt = now,
            Reason = reason,
            ByRole = byRole,
            ByActor = byActor,
            Subject = subject,
            RequestId = requestId,
            Categories = categories.Distinct().Order().ToList(),
            Rows = System.Text.Json.JsonSerializer.Serialize(rows),
        };
}
