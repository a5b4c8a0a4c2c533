using Imail.Domain.Common;
using Imail.Domain.DataCategories;
using Imail.Domain.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Imail.Domain.Statistics;

/// <summary>
/// Accountability for statistics (P3): who asked, as what, by which axes, and whether it was refused — never what
/// the answer said. Category <c>security_logs</c>: purged with the staff actions after its retention
/// (<c>security-log-purge</c>). It holds no user's data: the asker is a staff member or a partner.
/// </summary>
public sealed class StatisticsRequest
{
    public const int AskerMaxLength = 200;

    private StatisticsRequest() { }

    public Guid Id { get; private set; }
    public DateTimeOffset AskedAt { get; private set; }

    /// <summary><c>staff</c> or <c>partner</c>.</summary>
    public string Role { get; private set; } = "";

    /// <summary>The <c>sub</c> of the asker's token.</summary>
    public string Asker { get; private set; } = "";

    /// <summary>The axes asked, as <see cref="StatisticsAxis.Key"/>.</summary>
    public List<string> Axes { get; private set; } = [];

    /// <summary>The k the answer was computed with.</summary>
    public int K { get; private set; }

    /// <summary>The code of a refusal (<c>DIMENSION_NOT_SHARED</c>, <c>COMBINATION_REFUSED</c>); null when answered.</summary>
    public string? Refusal { get; private set; }

    public static StatisticsRequest Record(StatisticsAsker asker, IEnumerable<StatisticsAxis> axes, int k, string? refusal, DateTimeOffset now) => new()
    {
        Id = Ids.New(now),
        AskedAt = now,
        Role = asker.Role,
        Asker = asker.Subject,
        Axes = axes.Select(a => a.Key).ToList(),
        K = k,
        Refusal = refusal,
    };
}

/// <summary>Who asks: their token's role and subject.</summary>
public sealed record StatisticsAsker(string Role, string Subject)
{
    public const string Staff = "staff";
    public const string Partner = "partner";

    public bool IsPartner => Role == Partner;
}

internal sealed class StatisticsRequestConfiguration : IEntityTypeConfiguration<StatisticsRequest>
{
    public void Configure(EntityTypeBuilder<StatisticsRequest> request)
    {
        request.HasDefaultDataCategory(DataCategoryCodes.SecurityLogs);
        request.HasKey(r => r.Id);
        request.Property(r => r.Id).ValueGeneratedNever();
        request.Property(r => r.Role).HasMaxLength(16);
        request.Property(r => r.Asker).HasMaxLength(StatisticsRequest.AskerMaxLength);
        request.Property(r => r.Axes).HasColumnType("text[]");
        request.Property(r => r.Refusal).HasMaxLength(64);
        // The cycle rule reads one asker's answered two-axis requests; security-log-purge deletes by date.
        request.HasIndex(r => new { r.Role, r.Asker, r.AskedAt });
        request.HasIndex(r => r.AskedAt);
    }
}
