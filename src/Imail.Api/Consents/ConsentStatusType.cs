using GraphQL.Types;
using Imail.Domain.Consents;

namespace Imail.Api.Consents;

public sealed class ConsentStatusType : ObjectGraphType<ConsentStatus>
{
    public ConsentStatusType()
    {
        Name = "ConsentStatus";
        Description = "Whether the cookie banner must be shown, and the exact instants behind the answer (P5). All instants are UTC.";
        Field<NonNullGraphType<ConsentStateType>>("state").Description("NEVER_ASKED, VALID or RENEWAL_REQUIRED.").Resolve(ctx => ctx.Source.State);
        Field<NonNullGraphType<BooleanGraphType>>("showBanner")
            .Description("True unless `state` is VALID: the banner must be shown (again).")
            .Resolve(ctx => ctx.Source.State != ConsentState.Valid);
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<PurposeConsentType>>>>("purposes")
            .Description("Each purpose the banner asks about, with the answer in force. Past the end of a period no purpose is granted.")
            .Resolve(ctx => ctx.Source.Purposes);
        Field<DateTimeOffsetGraphType>("firstDepositAt")
            .Description("The first deposit of the consent cookie, which fixes both expiries. Null when never asked.")
            .Resolve(ctx => ctx.Source.FirstDepositAt);
        Field<DateTimeOffsetGraphType>("expiresAt")
            .Description("When this consent ends: 13 months after the first deposit on the Europe/Brussels calendar, never extended by a visit or a repeated decision.")
            .Resolve(ctx => ctx.Source.ExpiresAt);
        Field<DateTimeOffsetGraphType>("cookieExpiresAt")
            .Description("The `Expires` to give the consent cookie on this device, on every write: `expiresAt`, or earlier when the cookie on this device was deposited earlier (a cookie lives 13 months from its own first deposit and moves only when a decision on this device deposits it anew).")
            .Resolve(ctx => ctx.Source.CookieExpiresAt);
        Field<DateTimeOffsetGraphType>("askAgainAt")
            .Description("When the banner must be shown again: `expiresAt`, or earlier when a refusal's memory (6 months by default) or the device's cookie runs out first.")
            .Resolve(ctx => ctx.Source.AskAgainAt);
        this.AllowAnyone();
    }
}

public sealed class PurposeConsentType : ObjectGraphType<PurposeStatus>
{
    public PurposeConsentType()
    {
        Name = "PurposeConsent";
        Description = "One purpose and the answer in force for it.";
        Field<NonNullGraphType<ConsentPurposeType>>("purpose").Description("The purpose.").Resolve(ctx => ctx.Source.Purpose);
        Field<BooleanGraphType>("granted").Description("The answer in force: true granted, false refused, null not answered or lapsed.").Resolve(ctx => ctx.Source.Granted);
        Field<NonNullGraphType<BooleanGraphType>>("effective")
            .Description("Whether data may be used for this purpose now: granted and the period not over. Load statistics scripts only when true.")
            .Resolve(ctx => ctx.Source.Effective);
        Field<DateTimeOffsetGraphType>("decidedAt").Description("When this answer was first given; repeating it does not move the date.").Resolve(ctx => ctx.Source.DecidedAt);
        this.AllowAnyone();
    }
}

public sealed class ConsentStateType() : EnumType<ConsentState>("ConsentState", "What the front-end must do with the banner.");

public sealed class ConsentActionType() : EnumType<ConsentAction>("ConsentAction", "What a consent record proves: a decision or a withdrawal.");
