using Imail.Domain.Common;

namespace Imail.Domain.Consents;

/// <summary>
/// Proof of one consent decision (P5): who or which visitor, when, which purposes, which policy
/// and banner versions, from which front-end. Never updated (except being linked to the account
/// the visitor later signs in with); category <c>consent_proofs</c>. Each record is chained to
/// the previous record of the same visitor (or account) by hash, and carries the signed
/// receipt given to the person.
/// </summary>
public sealed class ConsentRecord
{
    private ConsentRecord() { }

    public Guid Id { get; private set; }
    public Guid ConsentId { get; private set; }

    /// <summary><c>visitor:{id}</c>, or <c>user:{id}</c> for decisions made without a visitor id.</summary>
    public string ChainKey { get; private set; } = "";

    /// <summary>1 for the chain's first record, then +1; unique within the chain.</summary>
    public int Sequence { get; private set; }

    public Guid? VisitorId { get; private set; }

    /// <summary>The account: set when decided signed in, or when the visitor later attaches.</summary>
    public Guid? UserId { get; private set; }

    /// <summary>Whether the decision was made by a signed-in user (then the user id is in the receipt).</summary>
    public bool DecidedSignedIn { get; private set; }

    public ConsentAction Action { get; private set; }
    public DateTimeOffset DecidedAt { get; private set; }
    public List<string> Granted { get; private set; } = [];
    public List<string> Refused { get; private set; } = [];
    public string PolicyVersion { get; private set; } = "";
    public string BannerVersion { get; private set; } = "";
    public string FrontEnd { get; private set; } = "";
    public DateTimeOffset FirstDepositAt { get; private set; }
    public DateTimeOffset ExpiresAt { get; private set; }

    /// <summary>The controller (publisher) as named in the receipt, JSON, as it was at the time (P1).</summary>
    public string Controller { get; private set; } = "";

    public string? PreviousHash { get; private set; }

    /// <summary>SHA-256 (hex) of the receipt's payload.</summary>
    public string Hash { get; private set; } = "";

    /// <summary>The receipt: a JWS (ES256) whose payload is the canonical receipt JSON.</summary>
    public string Receipt { get; private set; } = "";

    /// <summary>Proof of a decision made on the period's own device.</summary>
    public static ConsentRecord Write(Consent consent, ConsentAction action, bool signedIn, DecisionContext context,
        ConsentRecord? previous, string chainKey, ReceiptController controller, ReceiptSigner signer, DateTimeOffset now) =>
        Write(consent, action, signedIn, consent.VisitorId, context, previous, chainKey, controller, signer, now);

    /// <param name="visitorId">The device the decision was made on (null when made signed in without one).</param>
    public static ConsentRecord Write(Consent consent, ConsentAction action, bool signedIn, Guid? visitorId, DecisionContext context,
        ConsentRecord? previous, string chainKey, ReceiptController controller, ReceiptSigner signer, DateTimeOffset now)
    {
        var record = new ConsentRecord
        {
            Id = Ids.New(now),
            ConsentId = consent.Id,
            ChainKey = chainKey,
            Sequence = (previous?.Sequence ?? 0) + 1,
            VisitorId = visitorId,
            UserId = consent.UserId,
            DecidedSignedIn = signedIn,
            Action = action,
            DecidedAt = now,
            Granted = consent.Choices.Where(c => c.Granted).Select(c => c.Purpose.Code()).Order().ToList(),
            Refused = consent.Choices.Where(c => !c.Granted).Select(c => c.Purpose.Code()).Order().ToList(),
            PolicyVersion = context.PolicyVersion,
            BannerVersion = context.BannerVersion,
            FrontEnd = context.FrontEnd,
            FirstDepositAt = consent.FirstDepositAt,
            ExpiresAt = consent.ExpiresAt,
            Controller = controller.ToJson(),
            PreviousHash = previous?.Hash,
        };
        var payload = ConsentReceipts.Payload(record);
        record.Hash = ConsentReceipts.HashOf(payload);
        record.Receipt = signer.Sign(payload);
        return record;
    }

}

public enum ConsentAction
{
    /// <summary>The person answered the banner (or changed an answer in their settings).</summary>
    Decision,

    /// <summary>The person withdrew consent.</summary>
    Withdrawal,
}

/// <summary>Where and under which texts a decision was made.</summary>
public sealed record DecisionContext(string PolicyVersion, string BannerVersion, string FrontEnd)
{
    public const int MaxLength = 100;

    public static DecisionContext Check(string? policyVersion, string? bannerVersion, string? frontEnd) =>
        new(Checked(policyVersion, "INVALID_POLICY_VERSION", "policyVersion"),
            Checked(bannerVersion, "INVALID_BANNER_VERSION", "bannerVersion"),
            CheckFrontEnd(frontEnd));

    /// <summary>The front-end a decision, a withdrawal or a navigation event came from: 1 to 100 characters.</summary>
    public static string CheckFrontEnd(string? frontEnd) => Checked(frontEnd, "INVALID_FRONT_END", "frontEnd");

    private static string Checked(string? raw, string code, string field) => Text.CheckName(raw, MaxLength, code, field, $"'{field}'");
}
