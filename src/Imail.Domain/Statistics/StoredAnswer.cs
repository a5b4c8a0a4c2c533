using System.Text.Json;
using Imail.Domain.DataCategories;
using Imail.Domain.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Imail.Domain.Statistics;

/// <summary>
/// A question's answer as last counted (P3): the released groups only — each of at least k accounts, never a smaller
/// cell — so it is an aggregate, not personal data (<c>not_personal</c>). The same question gets this answer until it is
/// <see cref="StatisticsOptions.MaxAge"/> old: asking again within that time teaches nothing, and a million accounts
/// are not counted again for every request.
/// </summary>
public sealed class StoredAnswer
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private StoredAnswer() { }

    /// <summary>The question: its axes' keys in canonical (ordinal) order, joined by " × ".</summary>
    public string Question { get; private set; } = "";

    public int K { get; private set; }
    public DateTimeOffset CountedAt { get; private set; }
    public long? Population { get; private set; }

    /// <summary>JSON: the released groups (row, column, count).</summary>
    public string Groups { get; private set; } = "[]";

    public static StoredAnswer Of(string question, int k, DateTimeOffset countedAt, Release release) => new()
    {
        Question = question,
        K = k,
        CountedAt = countedAt,
        Population = release.Population,
        Groups = JsonSerializer.Serialize(release.Groups, Json),
    };

    public void Replace(StoredAnswer fresh) => (K, CountedAt, Population, Groups) = (fresh.K, fresh.CountedAt, fresh.Population, fresh.Groups);

    public Release Release => new(Population, JsonSerializer.Deserialize<List<ReleasedGroup>>(Groups, Json) ?? []);

    /// <summary>Whether it still answers at <paramref name="now"/>: counted with this k, not in the future, less than <paramref name="maxAge"/> ago.</summary>
    public bool AnswersAt(DateTimeOffset now, int k, TimeSpan maxAge) => K == k && CountedAt <= now && now - CountedAt < maxAge;
}

internal sealed class StoredAnswerConfiguration : IEntityTypeConfiguration<StoredAnswer>
{
    public void Configure(EntityTypeBuilder<StoredAnswer> answer)
    {
        answer.ToTable("statistics_answers");
        answer.HasDefaultDataCategory(DataCategoryCodes.NotPersonal);
        answer.HasKey(a => a.Question);
        answer.Property(a => a.Question).HasMaxLength(400);
        answer.Property(a => a.Groups).HasColumnType("jsonb");
    }
}
