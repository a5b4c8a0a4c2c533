using GraphQL.Types;
using Imail.Domain.Consents;

namespace Imail.Api.Consents;

public sealed class ConsentPurposeType : EnumerationGraphType<ConsentPurpose>
{
    public ConsentPurposeType()
    {
        Name = "ConsentPurpose";
        Description = "What a cookie, or a use of navigation data, is for (P6).";
        Values["NECESSARY"]!.Description = "Strictly necessary (the session, remembering the banner choice): no consent is asked.";
        Values["STATISTICS"]!.Description = "Frequency of access, pages consulted, date and time, operations performed: only with consent.";
        Values["PERSONALISATION"]!.Description = "Adapting the sites to the person's use of them: only with consent.";
    }
}
