using GraphQL;
using GraphQL.Types;
using Imail.Api.Auth;
using Imail.Api.Consents;
using Imail.Api.Schema;
using Imail.Domain.Outbox;
using Imail.Domain.Users;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Imail.Api.Users;

public sealed record SignUpInput(string Email, string DisplayName, string? Locale, string? VisitorId);

public sealed record UpdateProfileInput(string? Email, string? DisplayName, string? Locale);

public sealed class UserMutations(TimeProvider clock) : IMutationFields
{
    public void AddTo(MutationType mutation)
    {
        mutation.Field<NonNullGraphType<SignUpPayloadType>>("signUp")
            .Description("Creates an account and sends a confirmation e-mail. Given the device's visitor id, the cookie consent given before sign-up joins the account (P5). Errors: `INVALID_EMAIL`, `INVALID_DISPLAY_NAME`, `UNSUPPORTED_LOCALE`, `INVALID_VISITOR_ID`, `EMAIL_TAKEN`.")
            .Argument<NonNullGraphType<SignUpInputType>>("input")
            .AllowAnyone()
            .GrantsResult()
            .ResolveAsync(async ctx => await Payload.Attempt(async () =>
            {
                var input = ctx.GetArgument<SignUpInput>("input");
                var user = User.SignUp(input.Email, input.DisplayName, input.Locale, clock);
                var visitor = ConsentInputs.ParseVisitorId(input.VisitorId);
                await using var db = await ctx.Db();
                if (await db.Users.AnyAsync(u => u.Email == user.Email, ctx.CancellationToken)) return EmailTaken<User>();
                db.Users.Add(user);
                db.EnqueueEmail(EmailTemplates.SignUpConfirmation, user, clock);
                if (visitor is null) return await SaveAsync(db, user, ctx.CancellationToken);
                // The account and its consent arrive together, or not at all.
                await using var transaction = await db.Database.BeginTransactionAsync(ctx.CancellationToken);
                var saved = await SaveAsync(db, user, ctx.CancellationToken);
                if (saved.Errors.Count > 0) return saved;
                await db.Desk(ctx.RequestServices!).TryAttachVisitorAsync(visitor.Value, user.Id, ctx.CancellationToken);
                await transaction.CommitAsync(ctx.CancellationToken);
                return saved;
            }));

        mutation.Field<NonNullGraphType<UpdateProfilePayloadType>>("updateProfile")
            .Description("Changes the signed-in person's own profile; omitted fields stay as they are. A new e-mail address is announced to both the old and the new address. Errors: `INVALID_EMAIL`, `INVALID_DISPLAY_NAME`, `UNSUPPORTED_LOCALE`, `EMAIL_TAKEN`, `USER_NOT_FOUND`.")
            .Argument<NonNullGraphType<UpdateProfileInputType>>("input")
            .Allow(Roles.User)
            .ResolveAsync(async ctx => await Payload.Attempt(async () =>
            {
                var input = ctx.GetArgument<UpdateProfileInput>("input");
                await using var db = await ctx.Db();
                var user = CurrentUser.Id(ctx.User) is { } id
                    ? await db.Users.FirstOrDefaultAsync(u => u.Id == id, ctx.CancellationToken)
                    : null;
                if (user is null) return Payload<User>.Fail(new NotFoundError("USER_NOT_FOUND", "Your account no longer exists."));
                var previousEmail = user.Email;
                if (!user.UpdateProfile(input.Email, input.DisplayName, input.Locale, clock)) return Payload<User>.Ok(user);
                if (user.Email != previousEmail)
                {
                    if (await db.Users.AnyAsync(u => u.Email == user.Email && u.Id != user.Id, ctx.CancellationToken))
                        return EmailTaken<User>();
                    // Both addresses hear of it: the old one so that a hijacked account does not go unnoticed.
                    var change = new Dictionary<string, string> { ["oldEmail"] = previousEmail, ["newEmail"] = user.Email };
                    db.EnqueueEmail(EmailTemplates.EmailChangedOldAddress, user, clock, change, toAddress: previousEmail);
                    db.EnqueueEmail(EmailTemplates.EmailChangedNewAddress, user, clock, change);
                }
                return await SaveAsync(db, user, ctx.CancellationToken);
            }));
    }

    private static async Task<Payload<User>> SaveAsync(Domain.Persistence.ImailDbContext db, User user, CancellationToken ct)
    {
        try
        {
            await db.SaveChangesAsync(ct);
            return Payload<User>.Ok(user);
        }
        catch (DbUpdateException e) when (e.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
        {
            return EmailTaken<User>(); // two sign-ups raced past the check: the unique index decides
        }
    }

    private static Payload<T> EmailTaken<T>() =>
        Payload<T>.Fail(new ConflictError("EMAIL_TAKEN", "An account already uses this e-mail address.", "email"));
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

public sealed class SignUpPayloadType() : PayloadType<User, UserType>("SignUpPayload", "user", "The new account.");

public sealed class UpdateProfilePayloadType() : PayloadType<User, UserType>("UpdateProfilePayload", "user", "The account as it now is.");
