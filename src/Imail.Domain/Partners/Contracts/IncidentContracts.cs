using Imail.Domain.Incidents;
using Mapster;

namespace Imail.Domain.Partners.Contracts;

/// <summary>
/// <c>incidentDeclared</c> (contract version 1): staff declared a security incident (P12) and chose to tell partners.
/// No personal data: the incident's id, severity, the data categories affected, when the publisher became aware of it,
/// when it was declared, and how many users were notified.
/// </summary>
public sealed record IncidentDeclaredData
{
    public Guid Id { get; init; }

    /// <summary><c>low</c>, <c>medium</c>, <c>high</c> or <c>critical</c>.</summary>
    public IncidentSeverity Severity { get; init; }

    /// <summary>Codes of the data categories affected (see <c>dataCategories</c>).</summary>
    public IReadOnlyList<string> Categories { get; init; } = [];

    public DateTimeOffset AwareAt { get; init; }
    public DateTimeOffset DeclaredAt { get; init; }

    /// <summary>Users sent the notice.</summary>
    public int Recipients { get; init; }
}

/// <summary>The domain's incidents mapped to the partners' contract, declared once (Mapster).</summary>
public static class IncidentContracts
{
    public static readonly TypeAdapterConfig Config = Create();

    private static TypeAdapterConfig Create()
    {
        var config = new TypeAdapterConfig();
        config.NewConfig<Incident, IncidentDeclaredData>()
            .Map(d => d.AwareAt, i => i.AwareAt.ToUniversalTime())
            .Map(d => d.DeclaredAt, i => i.DeclaredAt.ToUniversalTime())
            .Map(d => d.Categories, i => i.Categories.ToList())
            .Map(d => d.Recipients, i => i.RecipientCount);
        config.Compile();
        return config;
    }

    public static IncidentDeclaredData Declared(Incident incident) => incident.Adapt<IncidentDeclaredData>(Config);
}
