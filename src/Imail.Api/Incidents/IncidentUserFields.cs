using GraphQL.Types;
using Imail.Api.Auth;
using Imail.Domain.Incidents;
using Imail.Domain.Persistence;
using Imail.Domain.Users;
using Microsoft.EntityFrameworkCore;

namespace Imail.Api.Incidents;

/// <summary>The field P12 adds to <c>User</c>: the incidents that affected the person.</summary>
public static class IncidentUserFields
{
    public static void AddTo(ObjectGraphType<User> user)
    {
        user.Field<NonNullGraphType<ListGraphType<NonNullGraphType<UserIncidentType>>>>("incidents")
            .Description("The security incidents this person was notified of (P12), newest first, with the findings and measures sent since. Only those where they are a recipient.")
            .Allow(Roles.User, Roles.Staff)
            .Resolve(ctx => ctx.Loader<Guid, IReadOnlyList<UserIncident>>("incidents:of", async (services, people, ct) =>
            {
                // Two statements for the whole level: the people's notices with their incidents, and those incidents' updates.
                await using var db = await services.GetRequiredService<IDbContextFactory<ImailDbContext>>().CreateDbContextAsync(ct);
                var ids = people.ToList();
                var notices = await db.IncidentRecipients.AsNoTracking().Where(r => ids.Contains(r.UserId))
                    .Join(db.Incidents.AsNoTracking(), r => r.IncidentId, i => i.Id, (r, i) => new { Recipient = r, Incident = i })
                    .ToListAsync(ct);
                var incidentIds = notices.Select(n => n.Incident.Id).Distinct().ToList();
                var updates = (await db.IncidentSteps.AsNoTracking()
                        .Where(s => incidentIds.Contains(s.IncidentId) && (s.Kind == IncidentStepKind.Findings || s.Kind == IncidentStepKind.Measures))
                        .OrderBy(s => s.Sequence).ToListAsync(ct))
                    .ToLookup(s => s.IncidentId);
                var byPerson = notices.ToLookup(n => n.Recipient.UserId);
                return people.ToDictionary(p => p, p => (IReadOnlyList<UserIncident>)byPerson[p]
                    .OrderByDescending(n => n.Incident.DeclaredAt).ThenByDescending(n => n.Incident.Id)
                    .Select(n => new UserIncident(n.Incident, n.Recipient, updates[n.Incident.Id].ToList())).ToList());
            }).Load(ctx.Source.Id).Then(i => i!));
    }
}
