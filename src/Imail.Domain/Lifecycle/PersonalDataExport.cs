using System.Text.Json;
using System.Text.Json.Nodes;
using Imail.Domain.Common;
using Imail.Domain.DataCategories;
using Imail.Domain.Persistence;
using Mapster;
using Microsoft.EntityFrameworkCore;

namespace Imail.Domain.Lifecycle;

/// <summary>One data category of the person's copy: what the registry says of it, then every value of theirs in it, by table.</summary>
public sealed record ExportSection
{
    public string Code { get; init; } = "";
    public string Name { get; init; } = "";
    public string Description { get; init; } = "";
    public string Purpose { get; init; } = "";
    public string LegalBasis { get; init; } = "";
    public string Kind { get; init; } = "";

    /// <summary>ISO 8601 duration (<c>P3Y</c>), and what it counts from.</summary>
    public string Retention { get; init; } = "";

    public string RetentionStartsFrom { get; init; } = "";

    /// <summary>Table (as the schema names its rows: <c>consentRecord</c>) → rows, each with its keys and this category's fields.</summary>
    public SortedDictionary<string, List<JsonObject>> Records { get; init; } = new(StringComparer.Ordinal);
}

/// <summary>The person's copy of their data (GDPR art. 15 and 20): one JSON document.</summary>
public sealed record PersonalDataDocument(string Format, DateTimeOffset GeneratedAt, Guid Account, IReadOnlyList<ExportSection> Categories)
{
    public const string FormatName = "imail.personal-data/1";

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    // A file for people to read: letters as they are (é, not \u00E9); it is served as application/json, never inside HTML.
    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };
}

/// <summary>
/// Everything held about a person, grouped by data category with each category's purpose, legal basis
/// and retention from the registry (P2), produced from the <see cref="PersonalDataCatalogue"/> — the same
/// reach as erasure — so a new table appears in it without new code. Every row keeps its keys in each
/// section, so sections can be joined back together.
/// </summary>
public sealed class PersonalDataExport(ImailDbContext db, PersonalDataCatalogue catalogue, TimeProvider clock)
{
    private static readonly TypeAdapterConfig Mapping = Configure();

    public async Task<PersonalDataDocument> ForAsync(Guid account, CancellationToken ct)
    {
        var rows = await catalogue.RowsOfAsync(db, account, ct);
        Rule.Check(rows.Any(r => r.Table == catalogue.Accounts), new UserMustExistRule());
        var registry = await db.DataCategories.AsNoTracking().ToDictionaryAsync(c => c.Code, ct);

        var sections = new SortedDictionary<string, ExportSection>(StringComparer.Ordinal);
        foreach (var (table, row) in rows)
        {
            var keys = table.Columns.Where(c => c.IsKey).ToList();
            foreach (var group in table.Columns.Where(c => !c.IsKey && c.Category != DataCategoryCodes.NotPersonal).GroupBy(c => c.Category))
            {
                var section = sections.TryGetValue(group.Key, out var known) ? known : sections[group.Key] = SectionOf(group.Key, registry);
                var values = new JsonObject();
                foreach (var column in keys.Concat(group))
                    values[Name(column)] = row.TryGetProperty(column.Column, out var value) ? JsonNode.Parse(value.GetRawText()) : null;
                (section.Records.TryGetValue(table.Entity, out var list) ? list : section.Records[table.Entity] = []).Add(values);
            }
        }
        return new PersonalDataDocument(PersonalDataDocument.FormatName, clock.GetUtcNow(), account, [.. sections.Values]);
    }

    /// <summary>The field's name in its table's rows (<c>receipt</c> of <c>consentRecord.receipt</c>).</summary>
    private static string Name(CatalogueColumn column) => column.Field[(column.Field.IndexOf('.') + 1)..];

    private static ExportSection SectionOf(string code, IReadOnlyDictionary<string, DataCategory> registry) =>
        registry.TryGetValue(code, out var category)
            ? category.Adapt<ExportSection>(Mapping)
            // A column names a category staff removed from the registry: still exported, said plainly.
            : new ExportSection { Code = code, Name = code, Purpose = "(not in the registry)" };

    private static TypeAdapterConfig Configure()
    {
        var config = new TypeAdapterConfig();
        config.NewConfig<DataCategory, ExportSection>()
            .Map(s => s.LegalBasis, c => JsonNamingPolicy.SnakeCaseLower.ConvertName(c.LegalBasis.ToString()))
            .Map(s => s.Kind, c => c.Kind.ToString().ToLowerInvariant())
            .Map(s => s.Retention, c => c.Retention.Iso8601)
            .Ignore(s => s.Records);
        config.Compile();
        return config;
    }
}
