using System.Text.Json.Serialization;
using Imail.Domain.Persistence;
using Imail.Domain.Users;

namespace Imail.Domain.Outbox;

/// <summary>
/// An e-mail owed to someone: outbox kind <c>email.{template}</c>. It carries the address,
/// the language and the values the template needs, nothing more.
/// </summary>
/// <param name="MessageKey">The local part of the e-mail's Message-ID when it must be known in advance (an incident's notice, which its updates answer); by default the outbox message's id.</param>
/// <param name="InReplyToKey">The local part of the Message-ID this e-mail follows up (In-Reply-To, References): threads an incident's updates to its notice.</param>
public sealed record EmailPayload(string To, string? Name, Locale Locale, IReadOnlyDictionary<string, string> Values,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? MessageKey = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? InReplyToKey = null);

/// <summary>The e-mails Imail writes; each has a template per locale in the worker.</summary>
public static class EmailTemplates
{
    public const string KindPrefix = "email.";

    /// <summary>After sign-up: welcome, what is kept and why, how to reach the publisher (P1, P2).</summary>
    public const string SignUpConfirmation = "sign-up-confirmation";

    /// <summary>To the former address when the account's e-mail changes: so a hijack does not go unnoticed.</summary>
    public const string EmailChangedOldAddress = "email-changed-old-address";

    /// <summary>To the new address when the account's e-mail changes.</summary>
    public const string EmailChangedNewAddress = "email-changed-new-address";

    /// <summary>To a signed-up user when their consent period ended at its expiry: they will be asked again on their next visit (P5).</summary>
    public const string ConsentRenewalReminder = "consent-renewal-reminder";

    /// <summary>To the owner of an address someone tried to sign up with: an account already uses it (the caller is told nothing).</summary>
    public const string SignUpAttemptOnExistingAccount = "sign-up-attempt-existing-account";

    /// <summary>To the address a person asked to use: the code that confirms it.</summary>
    public const string EmailChangeConfirmation = "email-change-confirmation";

    /// <summary>To an address someone asked to use while another account uses it: no code (the caller is told nothing).</summary>
    public const string EmailChangeAddressTaken = "email-change-address-taken";

    /// <summary>To an erased person's address: their account and data are gone (P8–P11); not linked to any account, emptied once delivered.</summary>
    public const string ErasureConfirmation = "erasure-confirmation";

    /// <summary>To a person who asked to delete their account from its settings: the code that confirms it (P10); pointless once the code expires.</summary>
    public const string DeletionConfirmationCode = "deletion-confirmation-code";

    /// <summary>To a person whose deletion request, made to the publisher, staff recorded: when it will be carried out at the latest (P10).</summary>
    public const string DeletionRequestReceived = "deletion-request-received";

    /// <summary>To a person whose deletion request's deadline staff extended: the new date and why (P10).</summary>
    public const string DeletionRequestExtended = "deletion-request-extended";

    /// <summary>To a person who has not authenticated for the inactivity period (P9): sign in before the deadline, or the account is erased.</summary>
    public const string InactivityInvitation = "inactivity-invitation";

    /// <summary>To every user when a substantial version of the policy is published, before it takes effect (P13): its date, a summary, and whether it needs their acceptance.</summary>
    public const string PolicyVersionAnnouncement = "policy-version-announcement";

    /// <summary>To every user a security incident affected (P12), at once: what happened, which of their data, what they can do, whom to contact.</summary>
    public const string IncidentNotice = "incident-notice";

    /// <summary>To the recipients of an incident's notice: the causes found, or the measures taken (P12); threaded to the notice.</summary>
    public const string IncidentUpdate = "incident-update";

    public static readonly IReadOnlyList<string> All =
    [
        SignUpConfirmation, EmailChangedOldAddress, EmailChangedNewAddress, ConsentRenewalReminder,
        SignUpAttemptOnExistingAccount, EmailChangeConfirmation, EmailChangeAddressTaken,
        ErasureConfirmation, DeletionConfirmationCode, DeletionRequestReceived, DeletionRequestExtended, InactivityInvitation,
        PolicyVersionAnnouncement, IncidentNotice, IncidentUpdate,
    ];
}

public static class EmailOutbox
{
    public static OutboxMessage EnqueueEmail(this ImailDbContext db, string template, User recipient, DateTimeOffset now,
        IReadOnlyDictionary<string, string>? values = null, string? toAddress = null) =>
        db.Enqueue(EmailTemplates.KindPrefix + template,
            new EmailPayload(toAddress ?? recipient.Email, recipient.DisplayName, recipient.Locale, values ?? new Dictionary<string, string>()),
            recipient.Id, now);
}
