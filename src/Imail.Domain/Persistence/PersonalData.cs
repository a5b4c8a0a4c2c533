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

    public const string ReferenceAnnotation = "Imail:RefersTo";
    public const string KeptAnnotation = "Imail:KeptAnonymized";

    /// <summary>The column holds an account id without a foreign key (e.g. the outbox's): the catalogue reaches the person's rows through it.</summary>
    public static PropertyBuilder<T> RefersToPerson<T>(this PropertyBuilder<T> property)
    {
        property.HasAnnotation(ReferenceAnnotation, nameof(PersonReference.Account));
        return property;
    }

    /// <summary>The column holds a device's visitor id: rows recorded on the person's devices are theirs too (P8).</summary>
    public static PropertyBuilder<T> RefersToDevice<T>(this PropertyBuilder<T> property)
    {
        property.HasAnnotation(ReferenceAnnotation, nameof(PersonReference.Device));
        return property;
    }

    /// <summary>
    /// Rows of this table outlive the person for accountability: erasure clears their link to the account
    /// and every column of an identifying category (which must be nullable) instead of deleting them.
    /// </summary>
    public static EntityTypeBuilder<T> KeptAnonymizedAtErasure<T>(this EntityTypeBuilder<T> entity) where T : class
    {
        entity.HasAnnotation(KeptAnnotation, true);
        return entity;
    }

    public const string AnonymousAnnotation = "Imail:Anonymous";

    /// <summary>The table's rows are about nobody (anonymous copies of proofs): it holds no account, device or other identifier.</summary>
    public static EntityTypeBuilder<T> HoldsNoIdentifier<T>(this EntityTypeBuilder<T> entity) where T : class
    {
        entity.HasAnnotation(AnonymousAnnotation, true);
        return entity;
    }

    public static bool IsAnonymous(this IReadOnlyEntityType entity) => entity.FindAnnotation(AnonymousAnnotation)?.Value is true;

    public static PersonReference? Reference(this IReadOnlyProperty property) =>
        property.FindAnnotation(ReferenceAnnotation)?.Value is string s ? Enum.Parse<PersonReference>(s) : null;

    public static bool IsKeptAnonymized(this IReadOnlyEntityType entity) => entity.FindAnnotation(KeptAnnotation)?.Value is true;

    public static string? DataCategory(this IReadOnlyProperty property) =>
        property.FindAnnotation(Annotation)?.Value as string
        ?? property.DeclaringType.ContainingEntityType.FindAnnotation(Annotation)?.Value as string;
}

/// <summary>How a column leads to a person: their account id, or the visitor id of one of their devices.</summary>
public enum PersonReference
{
    Account,
    Device,
}
