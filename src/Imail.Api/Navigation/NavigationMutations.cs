using GraphQL;
using GraphQL.Types;
using Imail.Api.Consents;
using Imail.Api.GraphQL;
using Imail.Api.Users;
using Imail.Domain.Common;
using Imail.Domain.Consents;
using Imail.Domain.Navigation;
using Microsoft.EntityFrameworkCore;

namespace Imail.Api.Navigation;

public sealed record NavigationEventInput(NavigationKind Kind, string Name);

public sealed record RecordNavigationInput(string? VisitorId, string FrontEnd, IReadOnlyList<NavigationEventInput> Events);

/// <summary>What <c>recordNavigation</c> did: how many events it stored, and whether statistics was consented.</summary>
public sealed record NavigationRecording(int Recorded, bool Consented);

public sealed class NavigationMutations(TimeProvider clock) : IMutationFields
{
    public const int MaxEventsPerCall = 50;

    public void AddTo(MutationType mutation)
    {
        mutation.Field<NonNullGraphType<RecordNavigationPayloadType>>("recordNavigation")
            .Description($"Records page views and operations (P6), exactly when `consentStatus` for the same caller and device says STATISTICS is effective: a signed-in person's own consent, else the device's anonymous visitor's. Without it the call succeeds and stores nothing. Anyone; a `user` token adds the account. Errors: `INVALID_VISITOR_ID`, `VISITOR_REQUIRED`, `TOO_MANY_EVENTS` (over {MaxEventsPerCall}), `INVALID_FRONT_END`, `INVALID_NAVIGATION_NAME`, `USER_NOT_FOUND`.")
            .Argument<NonNullGraphType<RecordNavigationInputType>>("input", "Who browsed, on which front-end, and what happened.")
            .AllowAnyone()
            .ResolveAsync(async ctx => await Payload.Attempt(async () =>
            {
                var input = ctx.GetArgument<RecordNavigationInput>("input");
                var userId = CurrentUser.Id(ctx.User);
                var visitorId = ConsentInputs.ParseVisitorId(input.VisitorId);
                Rule.Check(visitorId is not null || userId is not null, "VISITOR_REQUIRED",
                    "Send the visitor id of the consent cookie, or a user token.", "visitorId");
                Rule.Check(input.Events.Count <= MaxEventsPerCall, "TOO_MANY_EVENTS",
                    $"At most {MaxEventsPerCall} events per call; send the rest in another call.", "events");
                var frontEnd = DecisionContext.CheckFrontEnd(input.FrontEnd);
                // Checked whether or not consent was given, so a front-end sees its mistakes before the banner is answered.
                foreach (var e in input.Events) NavigationEvent.Record(visitorId, userId, e.Kind, e.Name, frontEnd, clock);

                await using var db = await ctx.Db();
                if (userId is { } id) Rule.Check(await db.Users.AnyAsync(u => u.Id == id, ctx.CancellationToken), new UserMustExistRule());
                // The same answer consentStatus gives this caller on this device (P6).
                var desk = db.Desk(ctx.RequestServices!);
                if (!await desk.AllowsAsync(new ConsentSubject(visitorId, userId), ConsentPurpose.Statistics, ctx.CancellationToken))
                    return Payload<NavigationRecording>.Ok(new NavigationRecording(0, false));
                // Events carry the device only when Imail issued it.
                var device = await desk.KnownDeviceAsync(visitorId, ctx.CancellationToken);
                var events = input.Events.Select(e => NavigationEvent.Record(device?.Id, userId, e.Kind, e.Name, frontEnd, clock)).ToList();
                db.NavigationEvents.AddRange(events);
                await db.SaveChangesAsync(ctx.CancellationToken);
                return Payload<NavigationRecording>.Ok(new NavigationRecording(events.Count, true));
            }));
    }
}

public sealed class NavigationKindType : EnumerationGraphType<NavigationKind>
{
    public NavigationKindType()
    {
        Name = "NavigationKind";
        Description = "What a navigation event is.";
        Values["PAGE_VIEW"]!.Description = "A page was shown; `name` is its path, stored without query string or fragment.";
        Values["OPERATION"]!.Description = "An operation was performed; `name` says which (e.g. `search`, `compose`).";
    }
}

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
            .Description($"The events, at most {NavigationMutations.MaxEventsPerCall}.");
    }
}

public sealed class RecordNavigationPayloadType : ObjectGraphType<Payload<NavigationRecording>>
{
    public RecordNavigationPayloadType()
    {
        Name = "RecordNavigationPayload";
        Description = "The answer of `recordNavigation`: how many events were stored, whether statistics was consented, or the typed errors that prevented it.";
        Field<NonNullGraphType<IntGraphType>>("recorded").Description("How many events were stored: 0 without a valid statistics consent, or when `errors` is not empty.")
            .Resolve(ctx => ctx.Source.Result?.Recorded ?? 0);
        Field<NonNullGraphType<BooleanGraphType>>("consented").Description("Whether statistics is validly consented now for this account or visitor; false when `errors` is not empty.")
            .Resolve(ctx => ctx.Source.Result?.Consented ?? false);
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<UserErrorInterface>>>>("errors")
            .Description("Why nothing was recorded; empty on success, including when nothing was stored for want of consent.")
            .Resolve(ctx => ctx.Source.Errors);
        this.AllowAnyone();
    }
}
