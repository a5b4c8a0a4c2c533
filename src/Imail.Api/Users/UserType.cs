using GraphQL.Types;
using Imail.Api.Auth;
using Imail.Api.ConnectedAccounts;
using Imail.Api.Consents;
using Imail.Api.Incidents;
using Imail.Api.Lifecycle;
using Imail.Api.Policies;
using Imail.Domain.Consents;
using Imail.Domain.Persistence;
using Imail.Domain.Users;

namespace Imail.Api.Users;

public sealed class UserType : ObjectGraphType<User>
{
    public UserType(ConsentRules rules, TimeProvider clock, PersonalDataCatalogue personalData)
    {
        Name = "User";
        Description = "A person with an account: the data subject of the privacy policy. Visible to that person and to staff.";
        Field(u => u.Id, type: typeof(NonNullGraphType<IdGraphType>)).Description("Stable identifier (a UUID); the `sub` of this person's tokens.");
        Field(u => u.Email).Description("The account's e-mail address, normalised to lower case. Category `contact`.");
        Field(u => u.PendingEmail, nullable: true)
            .Description("An address the person asked to use instead (`updateProfile`), waiting for the code sent to it (`confirmEmailChange`); null when none. Category `contact`.");
        Field(u => u.DisplayName).Description("The name shown on the sites. Category `identity`.");
        Field(u => u.Locale, type: typeof(NonNullGraphType<LocaleType>)).Description("The language Imail writes to this person in.");
        Field(u => u.Country, nullable: true).Description("The country the person says they live in (ISO 3166-1 alpha-2), or null. Category `account`.");
        Field(u => u.Status, type: typeof(NonNullGraphType<UserStatusType>)).Description("Whether the account is active or restricted.");
        Field(u => u.CreatedAt).Description("When the account was created.");
        Field(u => u.UpdatedAt).Description("When the profile last changed.");
        Field(u => u.LastAuthenticatedAt, nullable: true)
            .Description("When this person last authenticated (sign-in time carried by their token). Three years without one starts the P9 inactivity deletion.");
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<PersonalDataItemType>>>>("personalData")
            .Description("What Imail holds about this person, grouped by data category (P2), with each category's retention: the account's fields, and those of consents, proofs of consent, navigation events and connected accounts when there are any (named `entity.field`).")
            .Resolve(ctx => PersonalDataItem.Of(ctx, personalData));
        ConsentUserFields.AddTo(this, rules, clock);
        ConnectedAccountUserFields.AddTo(this);
        DeletionUserFields.AddTo(this);
        LifecycleUserFields.AddTo(this);
        PolicyUserFields.AddTo(this, clock);
        IncidentUserFields.AddTo(this);
        this.Allow(Roles.User, Roles.Staff);
    }
}

public sealed class LocaleType() : EnumType<Locale>("Locale", "A language Imail writes in: French (the policy's language, default), Dutch or English.");

public sealed class UserStatusType() : EnumType<UserStatus>("UserStatus", "Where an account stands.");
