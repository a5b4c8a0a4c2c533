namespace Imail.Domain.Lifecycle;

/// <summary>
/// What remains of a proof of consent once the person is erased (P5, P8): the decision, its
/// purposes and the texts it answered, on which day and from which front-end, linked to nobody.
/// The signed receipt, the chain hashes, the device and account ids and the exact time go: with
/// them the proof pointed at a person; without them it still shows what the banner collected, as
/// the law asks the publisher to be able to show. Category <c>consent_proofs</c>, purged with its
/// retention counted from the decision.
/// </summary>
public sealed class AnonymousConsentProof
{
    private AnonymousConsentProof() { }

    public Guid Id { get; private set; }

    /// <summary>The day of the decision (UTC); the time of day is dropped so it cannot be matched to other records.</summary>
    public DateOnly DecidedOn { get; private set; }

    public string Action { get; private set; } = "";
    public bool DecidedSignedIn { get; private set; }
    public List<string> Granted { get; private set; } = [];
    public List<string> Refused { get; private set; } = [];
    public string PolicyVersion { get; private set; } = "";
    public string BannerVersion { get; private set; } = "";
    public string FrontEnd { get; private set; } = "";
}
