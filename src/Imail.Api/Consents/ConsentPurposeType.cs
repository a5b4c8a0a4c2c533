using Imail.Domain.Consents;

namespace Imail.Api.Consents;

public sealed class ConsentPurposeType() : EnumType<ConsentPurpose>("ConsentPurpose", "What a cookie, or a use of navigation data, is for (P6).",
    ("NECESSARY", "Strictly necessary (the session, remembering the banner choice): no consent is asked."),
    ("STATISTICS", "Frequency of access, pages consulted, date and time, operations performed: only with consent."),
    ("PERSONALISATION", "Adapting the sites to the person's use of them: only with consent."));
