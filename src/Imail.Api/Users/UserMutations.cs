using GraphQL.Types;
using Imail.Api.Auth;
using Imail.Api.Consents;
using Imail.Api.GraphQL;
using Imail.Domain.Consents;
using Imail.Domain.Users;

namespace Imail.Api.Users;

public sealed record SignUpInput(string Email, string DisplayName, string? Locale, string? VisitorId, string? Country = null);

public sealed record UpdateProfileInput(string? Email, string? DisplayName, string? Locale, string? Country = null);

public sealed record ConfirmEmailChangeInput(string Code);

/// <summary>What signing up answers: what the caller sent, as stored, and nothing the caller could not know already.</summary>
public sealed record NewAccount(Guid Id, string Email, string DisplayName, Locale Locale, string? Country, DateTimeOffset CreatedAt)
{
    public static NewAccount Of(User user) => new(user.Id, user.Email, user.DisplayName, user.Locale, user.Country, user.CreatedAt);
}

public sealed class UserMutations(ConsentRules rules, ReceiptSigner signer, ReceiptController controller, TimeProvider clock) : IMutationFields
{
    public void AddTo(MutationType mutation)
    {
        mutation.Mutation<SignUpInputType, SignUpInput, NewAccount>("signUp",
            PayloadGraph<NewAccount>.Of<NewAccountType>("SignUpPayload", "user", "The account signed up. The same answer whether or not the address already had an account."),
            "Creates an account and sends a confirmation e-mail. Given the device's visitor id, the cookie consent given on it before sign-up joins the account (P5). An address that already has an account gets the same answer (nothing tells the caller it exists); its owner is e-mailed that someone tried, and no account is created or changed.",
            ["INVALID_EMAIL", "INVALID_DISPLAY_NAME", "UNSUPPORTED_LOCALE", "UNSUPPORTED_COUNTRY", "INVALID_VISITOR_ID"],
            async m =>
            {
                var user = User.SignUp(m.Input.Email, m.Input.DisplayName, m.Input.Locale, clock.GetUtcNow(), m.Input.Country);
                var visitor = ConsentInputs.ParseVisitorId(m.Input.VisitorId);
                var db = await m.DbAsync();
                return NewAccount.Of(await new Accounts(db, clock).SignUpAsync(user, visitor,
                    context => new ConsentDesk(context, rules, signer, controller, clock), () => m.Field.Db(), m.Cancellation));
            })
            .AllowAnyone()
            .GrantsResult()
            .RateLimited(RateLimitPolicy.Email);

        var profile = PayloadGraph<User>.Of<UserType>("UpdateProfilePayload", "user", "The account as it now is.");

        mutation.Mutation<UpdateProfileInputType, UpdateProfileInput, User>("updateProfile", profile,
            "Changes the signed-in person's own profile; omitted fields stay as they are. A new e-mail address is not used at once: a code is sent to it, and `confirmEmailChange` with that code makes the change (`pendingEmail` shows it meanwhile; both addresses hear of the change when it happens). Whether another account uses the address is never revealed: its owner is e-mailed instead of the code.",
            ["INVALID_EMAIL", "INVALID_DISPLAY_NAME", "UNSUPPORTED_LOCALE", "UNSUPPORTED_COUNTRY", "USER_NOT_FOUND", "ACCOUNT_RESTRICTED (staff restricted the account from changing its profile, P11)"],
            async m =>
            {
                var user = await m.CallerAsync();
                user.UpdateProfile(m.Input.DisplayName, m.Input.Locale, clock.GetUtcNow(), m.Input.Country);
                var db = await m.DbAsync();
                if (m.Input.Email is { } email) await new Accounts(db, clock).RequestEmailChangeAsync(user, email, m.Cancellation);
                await db.SaveChangesAsync(m.Cancellation);
                return user;
            })
            .Allow(Roles.User)
            .RateLimited(RateLimitPolicy.Email);

        mutation.Mutation<ConfirmEmailChangeInputType, ConfirmEmailChangeInput, User>("confirmEmailChange", profile,
            "Confirms a change of e-mail address with the code `updateProfile` sent to the new address (within 24 hours): the account now uses it, and both the former and the new address are told.",
            ["NO_PENDING_EMAIL_CHANGE", "INVALID_EMAIL_CHANGE_CODE", "EMAIL_TAKEN (another account took the address meanwhile)", "USER_NOT_FOUND",
                "ACCOUNT_RESTRICTED (staff restricted the account from changing its profile, P11)"],
            async m =>
            {
                var user = await m.CallerAsync();
                var db = await m.DbAsync();
                new Accounts(db, clock).ConfirmEmailChange(user, m.Input.Code);
                await db.SaveChangesAsync(m.Cancellation);
                return user;
            }, onUniqueViolation: new Conflict("EMAIL_TAKEN", "Another account started using this address since you asked for it.", "code"))
            .Allow(Roles.User)
            .RateLimited(RateLimitPolicy.Email);
    }
}

public sealed class SignUpInputType : InputObjectGraphType<SignUpInput>
{
    public SignUpInputType()
    {
        Name = "SignUpInput";
        Field(i => i.Email).Description("The e-mail address; stored in lower case.");
        Field(i => i.DisplayName).Description("1 to 100 characters.");
        Field(i => i.Locale, nullable: true).Description("A BCP 47 tag whose language is fr, nl or en (`nl-BE` is fine); default fr.");
        Field(i => i.Country, nullable: true).Description("Optional: the country the person lives in, as an ISO 3166-1 alpha-2 code (`BE`, any case). Statistics count people by it, only in groups of at least k (P3).");
        Field(i => i.VisitorId, type: typeof(IdGraphType)).Description("The device's visitor id (consent cookie): its cookie consent joins the new account.");
    }
}

public sealed class UpdateProfileInputType : InputObjectGraphType<UpdateProfileInput>
{
    public UpdateProfileInputType()
    {
        Name = "UpdateProfileInput";
        Field(i => i.Email, nullable: true).Description("A new e-mail address.");
        Field(i => i.DisplayName, nullable: true).Description("A new display name.");
        Field(i => i.Locale, nullable: true).Description("A new language (BCP 47 tag: fr, nl, en).");
        Field(i => i.Country, nullable: true).Description("A new country (ISO 3166-1 alpha-2 code); an empty string removes it.");
    }
}

public sealed class ConfirmEmailChangeInputType : InputObjectGraphType<ConfirmEmailChangeInput>
{
    public ConfirmEmailChangeInputType()
    {
        Name = "ConfirmEmailChangeInput";
        Description = "The code sent to the new address.";
        Field(i => i.Code).Description("As written in the e-mail (case, spaces and dashes do not matter).");
    }
}

public sealed class NewAccountType : ObjectGraphType<NewAccount>
{
    public NewAccountType()
    {
        Name = "NewAccount";
        Description = "What `signUp` answers: the account as the caller described it. Sign in to read the rest (`me`).";
        Field(a => a.Id, type: typeof(NonNullGraphType<IdGraphType>)).Description("The account's id.");
        Field(a => a.Email).Description("The e-mail address, normalised to lower case.");
        Field(a => a.DisplayName).Description("The display name.");
        Field(a => a.Locale, type: typeof(NonNullGraphType<LocaleType>)).Description("The language Imail writes in.");
        Field(a => a.Country, nullable: true).Description("The country given (ISO 3166-1 alpha-2), or null.");
        Field(a => a.CreatedAt).Description("When the sign-up was received.");
        // No role of its own: readable only where signUp grants its result.
    }
}
