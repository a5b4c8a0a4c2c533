using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Imail.Domain.Persistence;

/// <summary>
/// P8 bookkeeping in the model itself: every column says which data category (P2) it holds, so
/// erasure, purge and the "what do you hold about me" answer are derived, not remembered.
/// A test fails when a column has none.
/// </summary>
public static class PersonalData
{
    public const string Annotation = "Imail:DataCategory";

    public static PropertyBuilder<T> HasDataCategory<T>(this PropertyBuilder<T> property, string categoryCode)
    {
        property.HasAnnotation(Annotation, categoryCode);
        return property;
    }

    /// <summary>Marks every column of an entity not yet marked (keys, timestamps) with one category.</summary>
    public static EntityTypeBuilder<T> HasDefaultDataCategory<T>(this EntityTypeBuilder<T> entity, string categoryCode)
        where T : class
    {
        entity.HasAnnotation(Annotation, categoryCode);
        return entity;
    }

    public static string? DataCategory(this IReadOnlyProperty property) =>
        property.FindAnnotation(Annotation)?.Value as string
        ?? property.DeclaringType.ContainingEntityType.FindAnnotation(Annotation)?.Value as string;
}
