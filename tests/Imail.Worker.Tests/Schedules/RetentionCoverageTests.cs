using Imail.Domain.DataCategories;
using Imail.Worker.Schedules;
using Imail.Worker.Tests.Purge;
using Microsoft.Extensions.DependencyInjection;

namespace Imail.Worker.Tests.Schedules;

/// <summary>P7/P8: no category of the registry with a retention is left without a schedule enforcing it.</summary>
public sealed class RetentionCoverageTests
{
    /// <summary>
    /// Server logs: written by the processes to their output, outside the database, and rotated by the
    /// operator's log collector (docs/schedules.md); no schedule of the worker can reach them.
    /// </summary>
    private static readonly string[] OutsideTheDatabase = [DataCategoryCodes.TechnicalLogs];

    [Fact]
    public void P7_EveryCategoryOfTheRegistryWithARetention_IsNamedByASchedule_ExceptServerLogs()
    {
        using var services = new PurgeDatabase().Services();
        var enforced = ScheduledJobs.All
            .Select(job => services.GetRequiredService(job.JobType))
            .OfType<IRetentionJob>()
            .SelectMany(job => job.Categories)
            .ToHashSet();

        var withARetention = DataCategoryCodes.Seeds().Where(c => c.RetentionMonths > 0 || c.RetentionDays > 0).Select(c => c.Code).ToList();

        Assert.Equal(withARetention.Except(OutsideTheDatabase).Order(), withARetention.Intersect(enforced).Order());
        Assert.Contains(DataCategoryCodes.TechnicalLogs, withARetention);
        Assert.DoesNotContain(DataCategoryCodes.TechnicalLogs, enforced);
    }
}
