namespace Imail.Domain.Common;

/// <summary>
/// Who speaks (P1): the publisher's name, address and the contact for data-protection requests,
/// from configuration (<c>Imail:Publisher</c>), never from code. Every e-mail names it; every
/// consent receipt names it as the controller.
/// </summary>
public sealed class Publisher
{
    public const string Section = "Imail:Publisher";

    public string Name { get; set; } = "";
    public string Address { get; set; } = "";

    /// <summary>The e-mail address for data-protection requests (access, correction, erasure).</summary>
    public string PrivacyContact { get; set; } = "";

    public bool IsComplete => Name.Length > 0 && Address.Length > 0 && PrivacyContact.Length > 0;
}
