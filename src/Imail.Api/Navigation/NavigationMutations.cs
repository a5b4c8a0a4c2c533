using GraphQL.Types;
using Imail.Api.Consents;
using Imail.Api.GraphQL;
using Imail.Domain.Consents;
using Imail.Domain.Navigation;

namespace Imail.Api.Navigation;

public sealed record NavigationEventInput(NavigationKind Kind, string Name);

public sealed record RecordNavigationInput(string? VisitorId, string FrontEnd, IReadOnlyList<NavigationEventInput> Events);

public sealed class NavigationMutations(ConsentRules rules, ReceiptSigner signer, ReceiptController controller, TimeProvider clock) : IMutationFields
{
    public void AddTo(MutationType mutation) =>
        mutation.Mutation<RecordNavigationInputType, RecordNavigationInput, NavigationRecording>("recordNavigation",
            new PayloadGraph<NavigationRecording>("RecordNavigationPayload",
                "The answer of `recordNavigation`: how many events were stored, whether statistics was consented, or the typed errors that prevented it.", p => p
                    .Result<NonNullGraphType<IntGraphType>>("recorded", "How many events were stored: 0 without a valid statistics consent, or when `errors` is not empty.", r => r.Recorded, whenFailed: 0)
                    .Result<NonNullGraphType<BooleanGraphType>>("consented", "Whether statistics is validly consented now for this account or visitor; false when `errors` is not empty.", r => r.Consented, whenFailed: false),
                "Why nothing was recorded; empty on success, including when nothing was stored for want of consent."),
            "Records page views and operations (P6), exactly when `consentStatus` for the same caller and device says STATISTICS is effective: a signed-in person's own consent, else the device's anonymous visitor's. Without it the call succeeds and stores nothing. Anyone; a `user` token adds the account.",
            ["INVALID_VISITOR_ID", "VISITOR_REQUIRED", $"TOO_MANY_EVENTS (over {NavigationRecorder.MaxEventsPerCall})", "INVALID_FRONT_END", "INVALID_NAVIGATION_NAME", "USER_NOT_FOUND",
                "ACCOUNT_RESTRICTED (staff restricted the account from recording navigation, P11)"],
            async m =>
            {
                var subject = new ConsentSubject(ConsentInputs.ParseVisitorId(m.Input.VisitorId), m.UserId);
                var db = await m.DbAsync();
                var recorder = new NavigationRecorder(db, new ConsentDesk(db, rules, signer, controller, clock), clock);
                return await recorder.RecordAsync(subject, m.Input.FrontEnd, m.Input.Events.Select(e => (e.Kind, e.Name)).ToList(), m.Cancellation);
            }, inputDescription: "Who browsed, on which front-end, and what happened.")
            .AllowAnyone();
}

public sealed class NavigationKindType() : EnumType<NavigationKind>("NavigationKind", "What a navigation event is.",
    ("PAGE_VIEW", "A page was shown; `name` is its path, stored without query string or fragment."),
    ("OPERATION", "An operation was performed; `name` says which (e.g. `search`, `compose`)."));

public sealed class NavigationEventInputType : InputObjectGraphType<NavigationEventInput>
{
    public NavigationEventInputType()
    {
        Name = "NavigationEventInput";
        Description = "One page view or operation. Its time is when the API receives it.";
        Field(i => i.Kind, type: typeof(NonNullGraphType<NavigationKindType>)).Description("Page view or operation.");
        Field(i => i.Name).Description($"The page path or the operation's name, 1 to {NavigationEvent.NameMaxLength} characters; a page's query string and fragment are cut off and never stored.");
    }
}

public sealed class RecordNavigationInputType : InputObjectGraphType<RecordNavigationInput>
{
    public RecordNavigationInputType()
    {
        Name = "RecordNavigationInput";
        Description = "Navigation data to record, if statistics is consented.";
        Field(i => i.VisitorId, type: typeof(IdGraphType)).Description("The visitor id (a UUID) of the consent cookie; may be omitted with a `user` token.");
        Field(i => i.FrontEnd).Description($"Which front-end sends it (e.g. `webmail`), 1 to {DecisionContext.MaxLength} characters.");
        Field(i => i.Events, type: typeof(NonNullGraphType<ListGraphType<NonNullGraphType<NavigationEventInputType>>>))
            .Description($"The events, at most {NavigationRecorder.MaxEventsPerCall}.");
    }
}
