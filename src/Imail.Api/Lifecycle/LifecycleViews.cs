using System.Text.Json;
using Imail.Domain.Lifecycle;
using Mapster;

namespace Imail.Api.Lifecycle;

/// <summary>A line of the audit trail as GraphQL reads it (P11).</summary>
public sealed record StaffActionView
{
    public Guid Id { get; init; }
    public DateTimeOffset At { get; init; }
    public string Actor { get; init; } = "";
    public StaffActionKind Action { get; init; }
    public Guid Subject { get; init; }
    public string Reason { get; init; } = "";
    public string Details { get; init; } = "{}";
}

/// <summary>An erasure's accountability record as GraphQL reads it (P8).</summary>
public sealed record ErasureView
{
    public Guid Id { get; init; }
    public DateTimeOffset ErasedAt { get; init; }
    public ErasureReason Reason { get; init; }
    public string ByRole { get; init; } = "";
    public string? ByActor { get; init; }
    public Guid Subject { get; init; }
    public Guid? RequestId { get; init; }
    public IReadOnlyList<string> Categories { get; init; } = [];
    public IReadOnlyList<ErasedRows> Rows { get; init; } = [];
}

/// <summary>How many rows of one table an erasure deleted (or anonymized, for the tables kept for accountability).</summary>
public sealed record ErasedRows(string Table, int Rows)
{
    public static IReadOnlyList<ErasedRows> Parse(string json) =>
        JsonSerializer.Deserialize<Dictionary<string, int>>(json)?.Select(r => new ErasedRows(r.Key, r.Value)).ToList() ?? [];
}

/// <summary>
/// The mapping of lifecycle entities to their views, declared once: the same configuration maps
/// rows read into memory and projects queries in SQL (<c>ProjectToType</c>, for the audit trail).
/// </summary>
public static class LifecycleViews
{
    public static readonly TypeAdapterConfig Config = Create();

    private static TypeAdapterConfig Create()
    {
        var config = new TypeAdapterConfig();
        config.NewConfig<StaffAction, StaffActionView>();
        config.NewConfig<ErasureRecord, ErasureView>()
            .Map(v => v.Rows, e => ErasedRows.Parse(e.Rows));
        config.Compile();
        return config;
    }
}
