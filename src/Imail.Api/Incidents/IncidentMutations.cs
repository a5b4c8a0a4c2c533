using System.Security.Claims;
using GraphQL.Types;
using Imail.Api.Auth;
using Imail.Api.GraphQL;
using Imail.Api.Policies;
using Imail.Domain.Incidents;
using Imail.Domain.Persistence;
using Imail.Domain.Policies;
using Microsoft.Extensions.Options;

namespace Imail.Api.Incidents;

public sealed record PeriodInput(DateTimeOffset From, DateTimeOffset To);

public sealed record IncidentSelectorInput(bool? Everyone, List<string>? Categories, PeriodInput? CreatedBetween, PeriodInput? ActiveBetween, List<string>? UserIds);

public sealed record DeclareIncidentInput(
    IncidentSeverity Severity, DateTimeOffset? AwareAt, LocalizedTextInput? Summary, List<string>? Categories, IncidentSelectorInput? Affected, bool? NotifyPartners);

public sealed record PublishIncidentUpdateInput(string IncidentId, LocalizedTextInput? Text);

public sealed record RecordAuthorityNotificationInput(string IncidentId, DateTimeOffset? NotifiedAt, string? Means, string? DelayReason);

public sealed record CloseIncidentInput(string IncidentId, string? AuthorityNotRequiredReason);

/// <summary>Staff declare a security incident, send its findings and measures, record the authority's notification, close it (P12).</summary>
public sealed class IncidentMutations(PersonalDataCatalogue catalogue, TimeProvider clock, IOptions<IncidentOptions> options) : IMutationFields
{
    private const string Unknown = "UNKNOWN_INCIDENT";
    private const string Closed = "INCIDENT_CLOSED";

    public void AddTo(MutationType mutation)
    {
        mutation.Mutation<DeclareIncidentInputType, DeclareIncidentInput, Declaration>("declareIncident",
            new PayloadGraph<Declaration>("DeclareIncidentPayload",
                "The answer of `declareIncident`: the incident and how many notices were queued, or the typed errors that prevented it.", p => p
                    .Result<IncidentType>("incident", "The incident, declared. Null when `errors` is not empty.", d => d.Incident)
                    .Result<NonNullGraphType<IntGraphType>>("notified", "Notices queued: one per affected user. 0 when `errors` is not empty.", d => d.Notified, whenFailed: 0)),
            "Declares a security incident (staff, P12). In the same transaction, every affected user (`affected`: users meeting every criterion given) is sent a notice in their language — what happened, which of their data categories are affected, what they can do, whom to contact, the policy's limitation of liability — and is recorded as a recipient; with `notifyPartners: true`, partners are sent `incidentDeclared` (no personal data). The timeline records DECLARED and NOTIFIED; the authority's deadline is `awareAt` + 72 hours.",
            [
                "INVALID_AWARE_AT (in the future, or over ten years ago)", "INVALID_SEVERITY", "INVALID_SUMMARY (fr, nl and en, each 1 to 4000 characters, no control characters)",
                "INVALID_CATEGORIES (none, or over 50)", "UNKNOWN_DATA_CATEGORY (not in the registry)", "SELECTOR_REQUIRED (no criterion in `affected`)",
                "INVALID_PERIOD (from after to)", "INVALID_USER_IDS (none, over 5000, or not UUIDs)",
            ],
            async m => await new IncidentDesk(await m.DbAsync(), catalogue, clock).DeclareAsync(Declaration(m.Input), Staff(m.Field.User), options.Value, m.Cancellation))
            .Allow(Roles.Staff);

        var updatePayload = new PayloadGraph<IncidentUpdate>("PublishIncidentUpdatePayload",
            "The answer of `publishIncidentFindings` and `publishIncidentMeasures`: the incident and how many e-mails were queued, or the typed errors that prevented it.", p => p
                .Result<IncidentType>("incident", "The incident, its timeline with the new step. Null when `errors` is not empty.", u => u.Incident)
                .Result<NonNullGraphType<IntGraphType>>("sent", "Updates queued: one per recipient of the notice whose account still exists. 0 when `errors` is not empty.", u => u.Sent, whenFailed: 0));
        string[] updateErrors = [Unknown, $"{Closed} (closed incidents get no update)", "INVALID_TEXT (fr, nl and en, each 1 to 4000 characters, no control characters)"];

        mutation.Mutation<PublishIncidentUpdateInputType, PublishIncidentUpdateInput, IncidentUpdate>("publishIncidentFindings", updatePayload,
            "Sends the causes found to every recipient of the incident's notice, in their language, in reply to it (e-mail threading: In-Reply-To and References name the notice), and records FINDINGS on the timeline (staff, P12).",
            updateErrors,
            async m => await new IncidentDesk(await m.DbAsync(), catalogue, clock)
                .PublishUpdateAsync(IncidentDesk.IncidentId(m.Input.IncidentId), IncidentStepKind.Findings, Text(m.Input.Text), Staff(m.Field.User), options.Value, m.Cancellation))
            .Allow(Roles.Staff);

        mutation.Mutation<PublishIncidentUpdateInputType, PublishIncidentUpdateInput, IncidentUpdate>("publishIncidentMeasures", updatePayload,
            "Sends the measures taken to reduce the harm to every recipient of the incident's notice, in their language, in reply to it, and records MEASURES on the timeline (staff, P12).",
            updateErrors,
            async m => await new IncidentDesk(await m.DbAsync(), catalogue, clock)
                .PublishUpdateAsync(IncidentDesk.IncidentId(m.Input.IncidentId), IncidentStepKind.Measures, Text(m.Input.Text), Staff(m.Field.User), options.Value, m.Cancellation))
            .Allow(Roles.Staff);

        var incidentPayload = PayloadGraph<Incident>.Of<IncidentType>("IncidentPayload", "incident", "The incident as now stored.");

        mutation.Mutation<RecordAuthorityNotificationInputType, RecordAuthorityNotificationInput, Incident>("recordAuthorityNotification", incidentPayload,
            "Records when and how the supervisory authority was notified of the incident (GDPR art. 33; staff, P12). After `authorityDeadline` (72 hours after `awareAt`, to the second), `delayReason` is required.",
            [
                Unknown, Closed, "AUTHORITY_ALREADY_NOTIFIED", "INVALID_NOTIFIED_AT (in the future, or before awareAt)",
                "INVALID_MEANS (1 to 500 characters, no control characters)", "INVALID_DELAY_REASON (over 2000 characters, or control characters)",
                "DELAY_REASON_REQUIRED (notified after the 72 hours)",
            ],
            async m => await new IncidentDesk(await m.DbAsync(), catalogue, clock).RecordAuthorityNotificationAsync(
                IncidentDesk.IncidentId(m.Input.IncidentId), m.Input.NotifiedAt, m.Input.Means, m.Input.DelayReason, Staff(m.Field.User), m.Cancellation))
            .Allow(Roles.Staff);

        mutation.Mutation<CloseIncidentInputType, CloseIncidentInput, Incident>("closeIncident", incidentPayload,
            "Closes the incident (staff, P12): refused while the authority's notification is not recorded, unless `authorityNotRequiredReason` says why none is required (art. 33.1: unlikely to result in a risk).",
            [Unknown, Closed, "AUTHORITY_NOTIFICATION_MISSING", "INVALID_REASON (over 2000 characters, or control characters)"],
            async m => await new IncidentDesk(await m.DbAsync(), catalogue, clock).CloseAsync(
                IncidentDesk.IncidentId(m.Input.IncidentId), m.Input.AuthorityNotRequiredReason, Staff(m.Field.User), m.Cancellation))
            .Allow(Roles.Staff);
    }

    private static IncidentDeclaration Declaration(DeclareIncidentInput input) => new(
        input.Severity, input.AwareAt, Text(input.Summary), input.Categories,
        input.Affected is { } a
            ? new IncidentSelector(a.Everyone, a.Categories, Period(a.CreatedBetween), Period(a.ActiveBetween), a.UserIds)
            : null,
        input.NotifyPartners ?? false);

    private static Period? Period(PeriodInput? p) => p is null ? null : new Period(p.From, p.To);

    private static LocalizedTextChange? Text(LocalizedTextInput? t) => t is null ? null : new LocalizedTextChange(t.Fr, t.Nl, t.En);

    private static string Staff(ClaimsPrincipal? principal) => principal?.FindFirstValue("sub") ?? "";
}

public sealed class PeriodInputType : InputObjectGraphType<PeriodInput>
{
    public PeriodInputType()
    {
        Name = "PeriodInput";
        Description = "A period, both ends included.";
        Field(i => i.From).Description("Start.");
        Field(i => i.To).Description("End, not before `from`.");
    }
}

public sealed class IncidentSelectorInputType : InputObjectGraphType<IncidentSelectorInput>
{
    public IncidentSelectorInputType()
    {
        Name = "IncidentSelectorInput";
        Description = "Who an incident affected: the users meeting EVERY criterion given (intersection); at least one is required. Erased accounts are never selected.";
        Field(i => i.Everyone, nullable: true).Description("true: every account (combined with others, it changes nothing).");
        Field(i => i.Categories, nullable: true).Description("Codes of data categories: users holding data of at least one of them in a table of the personal-data catalogue (every account holds `identity`, `contact` and `account`).");
        Field(i => i.CreatedBetween, type: typeof(PeriodInputType)).Description("Accounts created in the period.");
        Field(i => i.ActiveBetween, type: typeof(PeriodInputType))
            .Description("Accounts that may have been used in the period: created by its end, last authenticated at or after its start (Imail keeps only the last authentication, so some who signed in only later are included).");
        Field(i => i.UserIds, type: typeof(ListGraphType<NonNullGraphType<IdGraphType>>))
            .Description($"At most {IncidentSelector.MaxUserIds} account ids; ids of no account (erased, mistyped) are ignored.");
    }
}

public sealed class DeclareIncidentInputType : InputObjectGraphType<DeclareIncidentInput>
{
    public DeclareIncidentInputType()
    {
        Name = "DeclareIncidentInput";
        Description = "A security incident to declare, and whom it affected.";
        Field(i => i.Severity, type: typeof(NonNullGraphType<IncidentSeverityType>)).Description("How serious.");
        Field(i => i.AwareAt, type: typeof(NonNullGraphType<DateTimeOffsetGraphType>)).Description("When the publisher became aware of it (not in the future): the authority's 72 hours count from here.");
        Field(i => i.Summary, type: typeof(NonNullGraphType<LocalizedTextInputType>)).Description($"What happened, in fr, nl and en (each 1 to {Incident.SummaryMaxLength} characters): the notice says it.");
        Field(i => i.Categories, type: typeof(NonNullGraphType<ListGraphType<NonNullGraphType<StringGraphType>>>)).Description("Codes of the data categories affected (see `dataCategories`).");
        Field(i => i.Affected, type: typeof(NonNullGraphType<IncidentSelectorInputType>)).Description("Who is affected.");
        Field(i => i.NotifyPartners, nullable: true).Description("Send partners `incidentDeclared` (no personal data). Default false.");
    }
}

public sealed class PublishIncidentUpdateInputType : InputObjectGraphType<PublishIncidentUpdateInput>
{
    public PublishIncidentUpdateInputType()
    {
        Name = "PublishIncidentUpdateInput";
        Description = "Findings or measures to send about an incident.";
        Field(i => i.IncidentId, type: typeof(NonNullGraphType<IdGraphType>)).Description("The incident.");
        Field(i => i.Text, type: typeof(NonNullGraphType<LocalizedTextInputType>)).Description($"What to say, in fr, nl and en (each 1 to {Incident.SummaryMaxLength} characters).");
    }
}

public sealed class RecordAuthorityNotificationInputType : InputObjectGraphType<RecordAuthorityNotificationInput>
{
    public RecordAuthorityNotificationInputType()
    {
        Name = "RecordAuthorityNotificationInput";
        Description = "When and how the supervisory authority was notified.";
        Field(i => i.IncidentId, type: typeof(NonNullGraphType<IdGraphType>)).Description("The incident.");
        Field(i => i.NotifiedAt, type: typeof(NonNullGraphType<DateTimeOffsetGraphType>)).Description("When (not in the future, not before `awareAt`).");
        Field(i => i.Means, type: typeof(NonNullGraphType<StringGraphType>)).Description($"How: the form used, its reference (1 to {Incident.MeansMaxLength} characters).");
        Field(i => i.DelayReason, nullable: true).Description($"Why after the 72 hours: required then (at most {Incident.ReasonMaxLength} characters).");
    }
}

public sealed class CloseIncidentInputType : InputObjectGraphType<CloseIncidentInput>
{
    public CloseIncidentInputType()
    {
        Name = "CloseIncidentInput";
        Description = "The incident to close.";
        Field(i => i.IncidentId, type: typeof(NonNullGraphType<IdGraphType>)).Description("The incident.");
        Field(i => i.AuthorityNotRequiredReason, nullable: true)
            .Description($"Why the authority needed no notification; required when none is recorded (at most {Incident.ReasonMaxLength} characters).");
    }
}
