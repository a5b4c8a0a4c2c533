using GraphQL.Types;
using Imail.Api.Auth;
using Imail.Api.Policies;
using Imail.Domain.Incidents;
using Imail.Domain.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Imail.Api.Incidents;

public sealed class IncidentSeverityType() : EnumType<IncidentSeverity>("IncidentSeverity", "How serious staff judge a security incident.");

public sealed class IncidentStepKindType() : EnumType<IncidentStepKind>("IncidentStepKind", "A step of a security incident's timeline (P12).",
    ("DECLARED", "Staff declared the incident."),
    ("NOTIFIED", "The notice was sent to every affected user (`recipients`: how many)."),
    ("FINDINGS", "The causes found, sent to the recipients as an update."),
    ("MEASURES", "The measures taken to reduce the harm, sent to the recipients as an update."),
    ("AUTHORITY_NOTIFIED", "The supervisory authority's notification was recorded."),
    ("CLOSED", "Staff closed the incident."));

public sealed class IncidentStepType : ObjectGraphType<IncidentStep>
{
    public IncidentStepType()
    {
        Name = "IncidentStep";
        Description = "One step of an incident's timeline: what, when, who.";
        Field(s => s.Kind, type: typeof(NonNullGraphType<IncidentStepKindType>)).Description("What happened.");
        Field(s => s.At).Description("When (the API's clock).");
        Field(s => s.Actor).Description("The staff member (the `sub` of their token).");
        Field(s => s.Recipients, nullable: true).Description("E-mails the step queued (the notice, an update); null for the others.");
        Field<LocalizedTextType>("text").Description("An update's text, per language; null for other steps.").Resolve(ctx => ctx.Source.Text);
        Field(s => s.Note, nullable: true).Description("What else it says: the authority's notification (when, how, why late), the reason no notification was required.");
        this.Allow(Roles.Staff);
    }
}

public sealed class IncidentType : ObjectGraphType<Incident>
{
    public IncidentType(TimeProvider clock)
    {
        Name = "Incident";
        Description = "A security incident (P12), as staff see it: what was affected, whom, its timeline and the supervisory authority's deadline.";
        Field(i => i.Id, type: typeof(NonNullGraphType<IdGraphType>)).Description("Stable id (in declaration order).");
        Field(i => i.Severity, type: typeof(NonNullGraphType<IncidentSeverityType>)).Description("How serious.");
        Field(i => i.AwareAt).Description("When the publisher became aware of it.");
        Field(i => i.DeclaredAt).Description("When staff declared it (and the notices were queued).");
        Field(i => i.DeclaredBy).Description("Who declared it (token `sub`).");
        Field<NonNullGraphType<LocalizedTextType>>("summary").Description("What happened, per language, as the notice says it.").Resolve(ctx => ctx.Source.Summary);
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<StringGraphType>>>>("categories").Description("Codes of the data categories affected.").Resolve(ctx => ctx.Source.Categories);
        Field(i => i.Selector).Description("Who was selected (JSON: the criteria given, and how many `userIds`, never the ids).");
        Field(i => i.NotifyPartners).Description("Whether partners were sent `incidentDeclared`.");
        Field("recipientCount", i => i.RecipientCount).Description("Users sent the notice.");
        Field<NonNullGraphType<DateTimeOffsetGraphType>>("authorityDeadline").Description("`awareAt` + 72 hours (GDPR art. 33.1): the supervisory authority is notified by then, or the delay is explained.")
            .Resolve(ctx => ctx.Source.AuthorityDeadline);
        Field<NonNullGraphType<BooleanGraphType>>("overdue")
            .Description("The authority's notification is not recorded (nor declared unnecessary at closing) and `authorityDeadline` has passed.")
            .Resolve(ctx => ctx.Source.IsOverdueAt(clock.GetUtcNow()));
        Field(i => i.AuthorityNotifiedAt, nullable: true).Description("When the authority was notified; null until recorded.");
        Field(i => i.AuthorityNotificationMeans, nullable: true).Description("How it was notified.");
        Field(i => i.AuthorityDelayReason, nullable: true).Description("Why after the deadline.");
        Field(i => i.AuthorityNotRequiredReason, nullable: true).Description("Why no notification was required (given at closing).");
        Field(i => i.ClosedAt, nullable: true).Description("When staff closed it; null while open.");
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<IncidentStepType>>>>("timeline")
            .Description("Every step, oldest first.")
            .Resolve(ctx => ctx.Loader<Guid, IReadOnlyList<IncidentStep>>("incident:timeline", async (services, ids, ct) =>
            {
                await using var db = await services.GetRequiredService<IDbContextFactory<ImailDbContext>>().CreateDbContextAsync(ct);
                var steps = (await db.IncidentSteps.AsNoTracking().Where(s => ids.Contains(s.IncidentId)).OrderBy(s => s.Sequence).ToListAsync(ct))
                    .ToLookup(s => s.IncidentId);
                return ids.ToDictionary(id => id, id => (IReadOnlyList<IncidentStep>)steps[id].ToList());
            }).Load(ctx.Source.Id).Then(s => s!));
        this.Allow(Roles.Staff);
    }
}

public sealed class IncidentConnectionType() : ConnectionType<IncidentType, Incident>("Incident");

/// <summary>An incident as one of its recipients sees it: the notice they were sent and the updates since.</summary>
public sealed record UserIncident(Incident Incident, IncidentRecipient Recipient, IReadOnlyList<IncidentStep> Updates);

public sealed class IncidentUpdateType : ObjectGraphType<IncidentStep>
{
    public IncidentUpdateType()
    {
        Name = "IncidentUpdate";
        Description = "Findings or measures staff sent about an incident.";
        Field(s => s.Kind, type: typeof(NonNullGraphType<IncidentStepKindType>)).Description("FINDINGS or MEASURES.");
        Field(s => s.At).Description("When it was sent.");
        Field<NonNullGraphType<LocalizedTextType>>("text").Description("What it says, per language.").Resolve(ctx => ctx.Source.Text!);
        this.Allow(Roles.User, Roles.Staff);
    }
}

public sealed class UserIncidentType : ObjectGraphType<UserIncident>
{
    public UserIncidentType()
    {
        Name = "UserIncident";
        Description = "A security incident that affected this person (P12): what they were told, and the updates since.";
        Field<NonNullGraphType<IdGraphType>>("id").Description("The incident's id.").Resolve(ctx => ctx.Source.Incident.Id);
        Field<NonNullGraphType<IncidentSeverityType>>("severity").Description("How serious.").Resolve(ctx => ctx.Source.Incident.Severity);
        Field<NonNullGraphType<LocalizedTextType>>("summary").Description("What happened, per language.").Resolve(ctx => ctx.Source.Incident.Summary);
        Field<NonNullGraphType<DateTimeOffsetGraphType>>("awareAt").Description("When the publisher became aware of it.").Resolve(ctx => ctx.Source.Incident.AwareAt);
        Field<NonNullGraphType<DateTimeOffsetGraphType>>("notifiedAt").Description("When this person's notice was queued.").Resolve(ctx => ctx.Source.Recipient.NotifiedAt);
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<StringGraphType>>>>("categories")
            .Description("Codes of this person's data categories it affected.").Resolve(ctx => ctx.Source.Recipient.Categories);
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<IncidentUpdateType>>>>("updates")
            .Description("Findings and measures sent since, oldest first.").Resolve(ctx => ctx.Source.Updates);
        Field<DateTimeOffsetGraphType>("closedAt").Description("When the incident was closed; null while open.").Resolve(ctx => ctx.Source.Incident.ClosedAt);
        this.Allow(Roles.User, Roles.Staff);
    }
}
