namespace Imail.Domain.Partners;

/// <summary>
/// The event types of the partners' contract, as a webhook endpoint's filter names them. A feature that
/// starts emitting a new type adds its constant to <see cref="PartnerEvents"/> and here; nothing else
/// (webhook validation, the schema's descriptions, the docs' list) needs to change.
/// </summary>
public static class PartnerEventTypes
{
    public static readonly IReadOnlyList<string> All =
    [
        PartnerEvents.PolicyVersionPublished,
        PartnerEvents.PolicyVersionTakesEffect,
        PartnerEvents.IncidentDeclared,
    ];

    public static bool IsKnown(string type) => All.Contains(type, StringComparer.Ordinal);
}
