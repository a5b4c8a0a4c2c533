using System.Text.Json;
using Imail.Domain.Common;

namespace Imail.Domain.Lifecycle;

/// <summary>What staff did to an account (P10, P11).</summary>
public enum StaffActionKind
{
    Restricted,
    RestrictionLifted,
    Terminated,
    DeletionRequestRecorded,
    DeletionRequestExtended,
    DeletionRequestCancelled,
    DeletionRequestCarriedOut,
    PersonalDataExported,
}

/// <summary>
/// One line of the audit trail (P11): which staff member did what to which account, when and
/// why. The account is named by its <see cref="Users.User.AuditRef"/>, a random reference only the
/// account row links to a person: once the account is erased the line stays, and names nobody.
/// Category <c>security_logs</c>, purged past its retention.
/// </summary>
public sealed class StaffAction
{
    public const int ReasonMaxLength = 2000;

    private StaffAction() { }

    public Guid Id { get; private set; }
    public DateTimeOffset At { get; private set; }

    /// <summary>The staff member: the <c>sub</c> of their token.</summary>
    public string Actor { get; private set; } = "";

    public StaffActionKind Action { get; private set; }

    /// <summary>The account's audit reference (not its id).</summary>
    public Guid Subject { get; private set; }

    /// <summary>Why, in staff's words (names of the person are blanked at erasure).</summary>
    public string Reason { get; private set; } = "";

    /// <summary>JSON: what exactly (capabilities restricted, new deadline, request id…).</summary>
    public string Details { get; private set; } = "{}";

    public static StaffAction Record(string actor, StaffActionKind action, Guid subject, string? reason, object? details, DateTimeOffset now, bool reasonRequired = true) => new()
    {
        Id = Ids.New(now),
        At = now,
        Actor = CheckActor(actor),
        Action = action,
        Subject = subject,
        Reason = CheckReason(reason, reasonRequired),
        Details = details is null ? "{}" : JsonSerializer.Serialize(details, LifecycleJson.Options),
    };

    public static string CheckReason(string? reason, bool required = true) =>
        Text.CheckFreeText(reason, ReasonMaxLength, required, "INVALID_REASON", "reason", "The reason");

    private static string CheckActor(string actor) =>
        string.IsNullOrWhiteSpace(actor) ? throw new ArgumentException("A staff action needs its author.", nameof(actor)) : actor.Length > 200 ? actor[..200] : actor;

    /// <summary>Blanks what would name the person in the reason (their address, name, ids), at erasure.</summary>
    public void Redact(IReadOnlyCollection<string> identifying) => Reason = Redaction.Apply(Reason, identifying);
}

public static class LifecycleJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() },
    };
}

/// <summary>Blanks given values in free text, ignoring case: what staff wrote about someone outlives them, their name does not.</summary>
public static class Redaction
{
    public const string Blank = "[erased]";

    public static string Apply(string text, IReadOnlyCollection<string> identifying)
    {
        foreach (var value in identifying.Where(v => v.Length >= 2).OrderByDescending(v => v.Length))
        {
            var at = text.IndexOf(value, StringComparison.OrdinalIgnoreCase);
            while (at >= 0)
            {
                text = string.Concat(text.AsSpan(0, at), Blank, text.AsSpan(at + value.Length));
                at = text.IndexOf(value, at + Blank.Length, StringComparison.OrdinalIgnoreCase);
            }
        }
        return text;
    }
}
