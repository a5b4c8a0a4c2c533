using Imail.Domain.DataCategories;
using Imail.Domain.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Imail.Worker.Schedules;

public static class Retention
{
    /// <summary>A category's retention, read from the registry at each run: staff edit it there, never in code (P2).</summary>
    public static async Task<RetentionPeriod> RetentionOfAsync(this ImailDbContext db, string categoryCode, CancellationToken ct)
    {
        var retention = await db.DataCategories.AsNoTracking()
            .Where(c => c.Code == categoryCode)
            .Select(c => new { c.RetentionMonths, c.RetentionDays })
            .SingleOrDefaultAsync(ct)
            ?? throw new InvalidOperationException($"The data category '{categoryCode}' is missing from the registry: its purge reads the retention from it.");
        return new RetentionPeriod(retention.RetentionMonths, retention.RetentionDays);
    }
}
