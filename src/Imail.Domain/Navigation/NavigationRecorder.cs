using Imail.Domain.Common;
using Imail.Domain.Consents;
using Imail.Domain.Lifecycle;
using Imail.Domain.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Imail.Domain.Navigation;

/// <summary>What <see cref="NavigationRecorder.RecordAsync"/> did: how many events it stored, and whether statistics was consented.</summary>
public sealed record NavigationRecording(int Recorded, bool Consented);

/// <summary>
/// Records page views and operations (P6) exactly when the consent in force for the caller on the
/// device (<see cref="ConsentDesk.StatusAsync"/>) has STATISTICS effective. The input is checked
/// whether or not consent was given, so a front-end sees its mistakes before the banner is answered.
/// An account staff restricted from it (P11) is refused, consent or not.
/// </summary>
public sealed class NavigationRecorder(ImailDbContext db, ConsentDesk desk, TimeProvider clock)
{
    public const int MaxEventsPerCall = 50;

    public async Task<NavigationRecording> RecordAsync(ConsentSubject subject, string? frontEnd,
        IReadOnlyList<(NavigationKind Kind, string Name)> events, CancellationToken ct)
    {
        Rule.Check(subject.VisitorId is not null || subject.UserId is not null, "VISITOR_REQUIRED",
            "Send the visitor id of the consent cookie, or a user token.", "visitorId");
        Rule.Check(events.Count <= MaxEventsPerCall, "TOO_MANY_EVENTS",
            $"At most {MaxEventsPerCall} events per call; send the rest in another call.", "events");
        var checkedFrontEnd = DecisionContext.CheckFrontEnd(frontEnd);
        foreach (var (kind, name) in events) NavigationEvent.Record(null, null, kind, name, checkedFrontEnd, clock.GetUtcNow());
        if (subject.UserId is { } userId)
        {
            var user = await db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.Id == userId, ct);
            Rule.Check(user is not null, new UserMustExistRule());
            user!.Require(Capability.RecordNavigation);
        }

        if (!await desk.AllowsAsync(subject, ConsentPurpose.Statistics, ct)) return new NavigationRecording(0, false);
        // Events carry the device only when Imail issued it.
        var device = await desk.KnownDeviceAsync(subject.VisitorId, ct);
        var rows = events.Select(e => NavigationEvent.Record(device?.Id, subject.UserId, e.Kind, e.Name, checkedFrontEnd, clock.GetUtcNow())).ToList();
        db.NavigationEvents.AddRange(rows);
        await db.SaveChangesAsync(ct);
        return new NavigationRecording(rows.Count, true);
    }
}
