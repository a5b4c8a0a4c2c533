using GraphQL.Types;
using Imail.Domain.DataCategories;

namespace Imail.Api.DataCategories;

public sealed class DataCategoryType : ObjectGraphType<DataCategory>
{
    public DataCategoryType()
    {
        Name = "DataCategory";
        Description = "A kind of data Imail stores (P2): why, on what legal basis, and for how long. Public: front-ends render the policy's list from it.";
        Field(c => c.Code).Description("Stable key, e.g. `contact`.");
        Field(c => c.Name).Description("Name, as the policy shows it.");
        Field(c => c.Description).Description("What the category holds.");
        Field(c => c.Purpose).Description("Why it is collected.");
        Field(c => c.LegalBasis, type: typeof(NonNullGraphType<LegalBasisType>)).Description("The GDPR art. 6 lawful basis.");
        Field(c => c.Kind, type: typeof(NonNullGraphType<DataKindType>)).Description("Personal (erased on request, P8) or technical (P7).");
        Field<NonNullGraphType<RetentionPeriodType>>("retention").Description("How long it is kept; purge schedules read this.")
            .Resolve(ctx => ctx.Source.Retention);
        Field(c => c.RetentionStartsFrom).Description("What the retention period counts from.");
        Field(c => c.IsSystem).Description("True for categories the software itself refers to: editable, not deletable.");
        Field(c => c.UpdatedAt).Description("Last change.");
        this.AllowAnyone();
    }
}

public sealed class RetentionPeriodType : ObjectGraphType<RetentionPeriod>
{
    public RetentionPeriodType()
    {
        Name = "RetentionPeriod";
        Description = "A calendar period: months, then days.";
        Field(r => r.Months).Description("Whole months.");
        Field(r => r.Days).Description("Days added after the months.");
        Field<NonNullGraphType<StringGraphType>>("iso8601").Description("The period as an ISO 8601 duration, e.g. `P1Y1M`.")
            .Resolve(ctx => ctx.Source.Iso8601);
        this.AllowAnyone();
    }
}

public sealed class LegalBasisType() : EnumType<LegalBasis>("LegalBasis", "GDPR art. 6(1) lawful basis.");

public sealed class DataKindType() : EnumType<DataKind>("DataKind", "Personal data identifies a person; technical data serves the running of the service.");
