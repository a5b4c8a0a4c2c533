using GraphQL;
using GraphQL.Types;
using Imail.Api.Auth;
using Imail.Api.Consents;
using Imail.Api.GraphQL;
using Imail.Domain.Common;
using Imail.Domain.Outbox;
using Imail.Domain.Users;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Imail.Api.Users;

public sealed record SignUpInput(string Email, string DisplayName, string? Locale, string? VisitorId);

public sealed record UpdateProfileInput(string? Email, string? DisplayName, string? Locale);

public sealed record ConfirmEmailChangeInput(string Code);

/// <summary>What signing up answers: what the caller sent, as stored, and nothing the caller could not know already.</summary>
public sealed record NewAccount(Guid Id, string Email, string DisplayName, Locale Locale, DateTimeOffset CreatedAt)
{
    public static NewAccount Of(User user) => new(user.Id, user.Email, user.DisplayName, user.Locale, user.CreatedAt);
}

public sealed class UserMutations(TimeProvider clock) : IMutationFields
{
    public void AddTo(MutationType mutation)
    {
        mutation.Field<NonNullGraphType<SignUpPayloadType>>("signUp")
            .Description("Creates an account and sends a confirmation e-mail. Given the device's visitor id, the cookie consent given on it before sign-up joins the account (P5). An address that already has an account gets the same answer (nothing tells the caller it exists); its owner is e-mailed that someone tried, and no account is created or changed. Errors: `INVALID_EMAIL`, `INVALID_DISPLAY_NAME`, `UNSUPPORTED_LOCALE`, `INVALID_VISITOR_ID`.")
            .Argument<NonNullGraphType<SignUpInputType>>("input")
            .AllowAnyone()
            .GrantsResult()
            .RateLimited(RateLimitPolicy.Email)
            .ResolveAsync(async ctx => await Payload.Attempt(async () =>
            {
                var input = ctx.GetArgument<SignUpInput>("input");
                var user = User.SignUp(input.Email, input.DisplayName, input.Locale, clock);
                var visitor = ConsentInputs.ParseVisitorId(input.VisitorId);
                await using var db = await ctx.Db();
                if (await TellOwnerAsync(db, user.Email, ctx.CancellationToken)) return Payload<NewAccount>.Ok(NewAccount.Of(user));
                // The account, its welcome e-mail and the device's consent arrive together, or not at all.
                await using var transaction = await db.Database.BeginTransactionAsync(ctx.CancellationToken);
                db.Users.Add(user);
                db.EnqueueEmail(EmailTemplates.SignUpConfirmation, user, clock);
                try
                {
                    await db.SaveChangesAsync(ctx.CancellationToken);
                }
                catch (DbUpdateException e) when (e.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
                {
                    // Two sign-ups raced past the check: the unique index decides, and the loser's answer looks the same.
                    await transaction.RollbackAsync(ctx.CancellationToken);
                    await using var again = await ctx.Db();
                    await TellOwnerAsync(again, user.Email, ctx.CancellationToken);
                    return Payload<NewAccount>.Ok(NewAccount.Of(user));
                }
                if (visitor is { } device) await db.Desk(ctx.RequestServices!).TryAttachVisitorAsync(device, user.Id, ctx.CancellationToken);
                await transaction.CommitAsync(ctx.CancellationToken);
                return Payload<NewAccount>.Ok(NewAccount.Of(user));
            }));

        mutation.Field<NonNullGraphType<UpdateProfilePayloadType>>("updateProfile")
            .Description("Changes the signed-in person's own profile; omitted fields stay as they are. A new e-mail address is not used at once: a code is sent to it, and `confirmEmailChange` with that code makes the change (`pendingEmail` shows it meanwhile; both addresses hear of the change when it happens). Whether another account uses the address is never revealed: its owner is e-mailed instead of the code. Errors: `INVALID_EMAIL`, `INVALID_DISPLAY_NAME`, `UNSUPPORTED_LOCALE`, `USER_NOT_FOUND`.")
            .Argument<NonNullGraphType<UpdateProfileInputType>>("input")
            .Allow(Roles.User)
            .RateLimited(RateLimitPolicy.Email)
            .ResolveAsync(async ctx => await Payload.Attempt(async () =>
            {
                var input = ctx.GetArgument<UpdateProfileInput>("input");
                await using var db = await ctx.Db();
                var user = await CallerAsync(ctx, db);
                user.UpdateProfile(input.DisplayName, input.Locale, clock);
                if (input.Email is { } email)
                {
                    var code = EmailChangeCodes.New();
                    if (user.RequestEmailChange(email, code, clock) is { } address)
                    {
                        var owner = await db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.Email == address, ctx.CancellationToken);
                        if (owner is not null)
                            db.EnqueueEmail(EmailTemplates.EmailChangeAddressTaken, owner, clock, new Dictionary<string, string> { ["newEmail"] = address });
                        else
                            db.EnqueueEmail(EmailTemplates.EmailChangeConfirmation, user, clock, new Dictionary<string, string>
                            {
                                ["newEmail"] = address,
                                ["code"] = code,
                                ["expiresAt"] = user.PendingEmailExpiresAt!.Value.ToString("yyyy-MM-dd HH:mm 'UTC'", System.Globalization.CultureInfo.InvariantCulture),
                            }, toAddress: address);
                    }
                }
                await db.SaveChangesAsync(ctx.CancellationToken);
                return Payload<User>.Ok(user);
            }));

        mutation.Field<NonNullGraphType<UpdateProfilePayloadType>>("confirmEmailChange")
            .Description("Confirms a change of e-mail address with the code `updateProfile` sent to the new address (within 24 hours): the account now uses it, and both the former and the new address are told. Errors: `NO_PENDING_EMAIL_CHANGE`, `INVALID_EMAIL_CHANGE_CODE`, `EMAIL_TAKEN` (another account took the address meanwhile), `USER_NOT_FOUND`.")
            .Argument<NonNullGraphType<ConfirmEmailChangeInputType>>("input")
            .Allow(Roles.User)
            .RateLimited(RateLimitPolicy.Email)
            .ResolveAsync(async ctx => await Payload.Attempt(async () =>
            {
                var input = ctx.GetArgument<ConfirmEmailChangeInput>("input");
                await using var db = await ctx.Db();
                var user = await CallerAsync(ctx, db);
                var former = user.ConfirmEmailChange(input.Code, clock);
                // Both addresses hear of it: the old one so that a hijacked account does not go unnoticed.
                var change = new Dictionary<string, string> { ["oldEmail"] = former, ["newEmail"] = user.Email };
                db.EnqueueEmail(EmailTemplates.EmailChangedOldAddress, user, clock, change, toAddress: former);
                db.EnqueueEmail(EmailTemplates.EmailChangedNewAddress, user, clock, change);
                try
                {
                    await db.SaveChangesAsync(ctx.CancellationToken);
                    return Payload<User>.Ok(user);
                }
                catch (DbUpdateException e) when (e.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
                {
                    // The person proved they read this address; another account took it since: telling them reveals nothing new.
                    return Payload<User>.Fail(new ConflictError("EMAIL_TAKEN", "Another account started using this address since you asked for it.", "code"));
                }
            }));
    }

    /// <summary>The signed-in person's account (tracked), or USER_NOT_FOUND.</summary>
    private static async Task<User> CallerAsync(IResolveFieldContext ctx, Domain.Persistence.ImailDbContext db) =>
        CurrentUser.Id(ctx.User) is { } id && await db.Users.FirstOrDefaultAsync(u => u.Id == id, ctx.CancellationToken) is { } user
            ? user
            : throw new UserMustExistRule().Violation();

    /// <summary>When an account already uses the address, its owner is told someone tried; returns whether one does.</summary>
    private async Task<bool> TellOwnerAsync(Domain.Persistence.ImailDbContext db, string email, CancellationToken ct)
    {
        var owner = await db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.Email == email, ct);
        if (owner is null) return false;
        db.EnqueueEmail(EmailTemplates.SignUpAttemptOnExistingAccount, owner, clock);
        await db.SaveChangesAsync(ct);
        return true;
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
        Field(a => a.CreatedAt).Description("When the sign-up was received.");
        // No role of its own: readable only where signUp grants its result.
    }
}

public sealed class SignUpPayloadType() : PayloadType<NewAccount, NewAccountType>("SignUpPayload", "user",
    "The account signed up. The same answer whether or not the address already had an account.");

public sealed class UpdateProfilePayloadType() : PayloadType<User, UserType>("UpdateProfilePayload", "user", "The account as it now is.");
