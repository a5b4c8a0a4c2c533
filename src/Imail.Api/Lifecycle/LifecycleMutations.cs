using System.Security.Claims;
using GraphQL.Types;
using Imail.Api.Auth;
using Imail.Api.GraphQL;
using Imail.Api.Users;
using Imail.Domain.Lifecycle;
using Imail.Domain.Persistence;
using Imail.Domain.Users;
using Mapster;

namespace Imail.Api.Lifecycle;

public sealed record RestrictAccountInput(string UserId, List<Capability> Capabilities, string Reason);

public sealed record LiftRestrictionInput(string UserId, List<Capability>? Capabilities, string Reason);

public sealed record TerminateAccountInput(string UserId, string Reason);

/// <summary>Staff acting on an account for a terms-of-service violation (P11), without prior warning; each act is audited.</summary>
public sealed class LifecycleMutations(PersonalDataCatalogue catalogue, SignInRestrictions signIn, TimeProvider clock) : IMutationFields
{
    private static readonly string[] Errors = ["USER_NOT_FOUND (no such account, or erased)", "INVALID_REASON"];

    public void AddTo(MutationType mutation)
    {
        var restrictions = new PayloadGraph<User>("AccountRestrictionsPayload",
            "The answer of `restrictAccount` and `liftRestriction`: the account as it now is, or the typed errors that prevented the change.",
            p => p.Result<UserType>("user", "The account, with its `restrictions` now. Null when `errors` is not empty.", u => u));

        mutation.Mutation<RestrictAccountInputType, RestrictAccountInput, User>("restrictAccount", restrictions,
            "Takes capabilities away from an account for a terms-of-service violation (P11), at once and without warning the person (no e-mail is sent). The API then refuses those operations with `ACCOUNT_RESTRICTED`; a `SIGN_IN` restriction refuses every request of the account's tokens (other API replicas see it within 5 seconds). Restricting what is already restricted changes nothing but is still audited. Writes a line of the audit trail with the staff member, the time and the reason (staff).",
            [.. Errors, "INVALID_CAPABILITIES (none named)"],
            async m =>
            {
                var user = await new Moderation(await m.DbAsync(), catalogue, clock)
                    .RestrictAsync(AccountId(m.Input.UserId), m.Input.Capabilities ?? [], Staff(m.Field.User), m.Input.Reason, m.Cancellation);
                signIn.Forget(user.Id);
                return user;
            })
            .Allow(Roles.Staff);

        mutation.Mutation<LiftRestrictionInputType, LiftRestrictionInput, User>("liftRestriction", restrictions,
            "Gives back capabilities staff took from an account (all of them when `capabilities` is omitted), at once in this API process and within 5 seconds in the others. Audited like `restrictAccount` (staff).",
            [.. Errors, "NOT_RESTRICTED (none of these capabilities is restricted)"],
            async m =>
            {
                var user = await new Moderation(await m.DbAsync(), catalogue, clock)
                    .LiftAsync(AccountId(m.Input.UserId), m.Input.Capabilities, Staff(m.Field.User), m.Input.Reason, m.Cancellation);
                signIn.Forget(user.Id);
                return user;
            })
            .Allow(Roles.Staff);

        mutation.Mutation<TerminateAccountInputType, TerminateAccountInput, ErasureView>("terminateAccount",
            new PayloadGraph<ErasureView>("TerminateAccountPayload",
                "The answer of `terminateAccount`: when the account was erased and what the erasure did, or the typed errors that prevented it.", p => p
                    .Result<DateTimeOffsetGraphType>("erasedAt", "When the account was erased. Null when `errors` is not empty.", e => e.ErasedAt)
                    .Result<ErasureType>("erasure", "The erasure's accountability record. Null when `errors` is not empty.", e => e)),
            "Terminates an account for a terms-of-service violation (P11), without prior warning: writes the audit line (staff member, time, reason), then erases the account as P8 does (every table, the person's e-mail address, name and ids blanked from what staff wrote about them), in one transaction. The person receives the erasure confirmation e-mail only. The audit trail keeps the action, naming the account by its reference alone (staff).",
            Errors,
            async m =>
            {
                var id = AccountId(m.Input.UserId);
                var erasure = await new Moderation(await m.DbAsync(), catalogue, clock).TerminateAsync(id, Staff(m.Field.User), m.Input.Reason, m.Cancellation);
                signIn.Forget(id);
                return erasure.Adapt<ErasureView>(LifecycleViews.Config);
            })
            .Allow(Roles.Staff);
    }

    private static Guid AccountId(string? raw) => Guid.TryParse(raw, out var id) ? id : throw new AccountNotFoundRule().Violation();

    private static string Staff(ClaimsPrincipal? principal) => principal?.FindFirstValue("sub") ?? "";
}

public sealed class RestrictAccountInputType : InputObjectGraphType<RestrictAccountInput>
{
    public RestrictAccountInputType()
    {
        Name = "RestrictAccountInput";
        Description = "Which account, what to take away from it, and why.";
        Field(i => i.UserId, type: typeof(NonNullGraphType<IdGraphType>)).Description("The account's id (`User.id`).");
        Field(i => i.Capabilities, type: typeof(NonNullGraphType<ListGraphType<NonNullGraphType<CapabilityType>>>)).Description("At least one capability.");
        Field(i => i.Reason).Description($"Why, for the audit trail: 1 to {StaffAction.ReasonMaxLength} characters. The person's name and address written here are blanked when the account is erased.");
    }
}

public sealed class LiftRestrictionInputType : InputObjectGraphType<LiftRestrictionInput>
{
    public LiftRestrictionInputType()
    {
        Name = "LiftRestrictionInput";
        Description = "Which account, what to give back, and why.";
        Field(i => i.UserId, type: typeof(NonNullGraphType<IdGraphType>)).Description("The account's id (`User.id`).");
        Field(i => i.Capabilities, type: typeof(ListGraphType<NonNullGraphType<CapabilityType>>)).Description("The capabilities to give back; omitted, all of them.");
        Field(i => i.Reason).Description($"Why, for the audit trail: 1 to {StaffAction.ReasonMaxLength} characters.");
    }
}

public sealed class TerminateAccountInputType : InputObjectGraphType<TerminateAccountInput>
{
    public TerminateAccountInputType()
    {
        Name = "TerminateAccountInput";
        Description = "Which account to terminate, and why.";
        Field(i => i.UserId, type: typeof(NonNullGraphType<IdGraphType>)).Description("The account's id (`User.id`).");
        Field(i => i.Reason).Description($"Why, for the audit trail: 1 to {StaffAction.ReasonMaxLength} characters. The person's name and address written here are blanked by the erasure.");
    }
}
