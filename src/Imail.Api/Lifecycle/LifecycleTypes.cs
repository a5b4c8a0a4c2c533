using GraphQL.Types;
using Imail.Api.Auth;
using Imail.Api.Users;
using Imail.Domain.Lifecycle;
using Imail.Domain.Persistence;
using Imail.Domain.Users;
using Mapster;
using Microsoft.EntityFrameworkCore;

namespace Imail.Api.Lifecycle;

public sealed class CapabilityType() : EnumType<Capability>("Capability",
    "What staff can take away from an account for a terms-of-service violation (P11). While taken, the API refuses it with `ACCOUNT_RESTRICTED`.",
    ("SIGN_IN", "Using the API with the account's token at all: every request is answered 403 `ACCOUNT_RESTRICTED`, and the sign-in time is not recorded."),
    ("CONNECTED_ACCOUNTS", "`connectAccount` (connecting or reconnecting another service's account). Disconnecting stays allowed: it deletes data."),
    ("RECORD_NAVIGATION", "`recordNavigation` as the account."),
    ("CHANGE_PROFILE", "`updateProfile` (name, language, e-mail address) and `confirmEmailChange`."));

public sealed class StaffActionKindType() : EnumType<StaffActionKind>("StaffActionKind", "What a staff member did to an account.");

public sealed class ErasureReasonType() : EnumType<ErasureReason>("ErasureReason", "Why an account was erased.",
    ("SELF_SERVICE", "The person confirmed the deletion of their account themselves (P10)."),
    ("REQUEST", "Staff carried out a request made to the publisher (P10)."),
    ("INACTIVITY", "Three years without signing in, and no sign-in within the grace period (P9)."),
    ("TERMINATION", "Staff terminated the account for a terms-of-service violation (P11)."));

public sealed class StaffActionType : ObjectGraphType<StaffActionView>
{
    public StaffActionType()
    {
        Name = "StaffAction";
        Description = "One line of the audit trail (P11): which staff member did what to which account, when and why. It outlives the account, and then names nobody. Staff only.";
        Field(a => a.Id, type: typeof(NonNullGraphType<IdGraphType>)).Description("Stable id, in the order the actions were taken.");
        Field(a => a.At).Description("When.");
        Field(a => a.Actor).Description("The staff member: the `sub` of their token.");
        Field(a => a.Action, type: typeof(NonNullGraphType<StaffActionKindType>)).Description("What they did.");
        Field(a => a.Subject, type: typeof(NonNullGraphType<IdGraphType>))
            .Description("The account's audit reference (`User.auditRef`, not its id): the one link between this line, the account while it exists, and its erasure record.");
        Field(a => a.Reason).Description("Why, in the staff member's words; the person's e-mail address, name and ids written in it become `[erased]` when the account is erased.");
        Field(a => a.Details).Description("What exactly, as JSON (e.g. `{\"requested\":[\"SignIn\"],\"added\":[\"SignIn\"],\"restrictions\":[\"SignIn\"]}`).");
        Field<UserType>("user")
            .Description("The account, while it exists; null once erased (the line then names nobody).")
            .Resolve(ctx => ctx.Loader<Guid, User>("usersByAuditRef", async (services, refs, ct) =>
            {
                await using var db = await services.GetRequiredService<IDbContextFactory<ImailDbContext>>().CreateDbContextAsync(ct);
                return await db.Users.AsNoTracking().Where(u => refs.Contains(u.AuditRef)).ToDictionaryAsync(u => u.AuditRef, ct);
            }).Load(ctx.Source.Subject));
        this.Allow(Roles.Staff);
    }
}

public sealed class StaffActionConnectionType() : ConnectionType<StaffActionType, StaffActionView>("StaffAction");

public sealed class ErasedRowsType : ObjectGraphType<ErasedRows>
{
    public ErasedRowsType()
    {
        Name = "ErasedRows";
        Description = "How many rows of one table an erasure deleted, or anonymized in the tables kept for accountability.";
        Field(r => r.Table).Description("The table.");
        Field(r => r.Rows).Description("Rows deleted or anonymized.");
        this.Allow(Roles.Staff);
    }
}

public sealed class ErasureType : ObjectGraphType<ErasureView>
{
    public ErasureType()
    {
        Name = "Erasure";
        Description = "What survives an erasure for accountability (P8): that it happened, when, why, by whom, what went. Nothing in it identifies the person. Staff only.";
        Field(e => e.Id, type: typeof(NonNullGraphType<IdGraphType>)).Description("Random id: it says nothing beyond `erasedAt`.");
        Field(e => e.ErasedAt).Description("When the account was erased.");
        Field(e => e.Reason, type: typeof(NonNullGraphType<ErasureReasonType>)).Description("Why.");
        Field(e => e.ByRole).Description("`user` (self-service), `staff` or `system` (the inactivity schedule).");
        Field(e => e.ByActor, nullable: true).Description("The staff member (token `sub`) when staff erased; null otherwise.");
        Field(e => e.Subject, type: typeof(NonNullGraphType<IdGraphType>)).Description("The erased account's audit reference: the `subject` of the staff actions about it.");
        Field(e => e.RequestId, type: typeof(IdGraphType)).Description("The deletion request carried out, if any.");
        Field(e => e.Categories, type: typeof(NonNullGraphType<ListGraphType<NonNullGraphType<StringGraphType>>>))
            .Description("The data categories that held something about the person.");
        Field(e => e.Rows, type: typeof(NonNullGraphType<ListGraphType<NonNullGraphType<ErasedRowsType>>>)).Description("Rows deleted or anonymized, per table.");
        this.Allow(Roles.Staff);
    }
}

public sealed class ErasureConnectionType() : ConnectionType<ErasureType, ErasureView>("Erasure");

/// <summary>The fields P11 adds to <c>User</c>.</summary>
public static class LifecycleUserFields
{
    public static void AddTo(ObjectGraphType<User> user)
    {
        user.Field(u => u.Restrictions, type: typeof(NonNullGraphType<ListGraphType<NonNullGraphType<CapabilityType>>>))
            .Description("What staff took away from the account (P11); empty for a normal account. Readable by the person, so a front-end can explain a refusal.")
            .Allow(Roles.User, Roles.Staff);
        user.Field(u => u.AuditRef, type: typeof(NonNullGraphType<IdGraphType>))
            .Description("The random reference the audit trail and erasure records name this account by (staff).")
            .Allow(Roles.Staff);
        user.Field<NonNullGraphType<ListGraphType<NonNullGraphType<StaffActionType>>>>("auditTrail")
            .Description("What staff did to this account, oldest first (staff).")
            .Allow(Roles.Staff)
            .Resolve(ctx => ctx.Loader<Guid, IReadOnlyList<StaffActionView>>("staffActionsBySubject", async (services, refs, ct) =>
            {
                await using var db = await services.GetRequiredService<IDbContextFactory<ImailDbContext>>().CreateDbContextAsync(ct);
                var actions = await db.StaffActions.AsNoTracking().Where(a => refs.Contains(a.Subject)).OrderBy(a => a.Id)
                    .ProjectToType<StaffActionView>(LifecycleViews.Config).ToListAsync(ct);
                var bySubject = actions.ToLookup(a => a.Subject);
                return refs.ToDictionary(r => r, r => (IReadOnlyList<StaffActionView>)bySubject[r].ToList());
            }).Load(ctx.Source.AuditRef));
    }
}
