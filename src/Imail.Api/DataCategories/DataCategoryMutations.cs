using GraphQL.Types;
using Imail.Api.Auth;
using Imail.Api.GraphQL;
using Imail.Domain.Common;
using Imail.Domain.DataCategories;
using Microsoft.EntityFrameworkCore;

namespace Imail.Api.DataCategories;

public sealed record DataCategoryInput(
    string Name, string? Description, string Purpose, LegalBasis LegalBasis, DataKind Kind,
    int RetentionMonths, int RetentionDays, string? RetentionStartsFrom)
{
    public DataCategoryDetails ToDetails() =>
        new(Name, Description ?? "", Purpose, LegalBasis, Kind, RetentionMonths, RetentionDays, RetentionStartsFrom ?? "");
}

public sealed record CreateDataCategoryInput(string Code, DataCategoryInput Category);

public sealed record UpdateDataCategoryInput(string Code, DataCategoryInput Category);

public sealed record DeleteDataCategoryInput(string Code);

public sealed class DataCategoryMutations(TimeProvider clock) : IMutationFields
{
    private readonly PayloadGraph<DataCategory> _payload =
        PayloadGraph<DataCategory>.Of<DataCategoryType>("DataCategoryPayload", "dataCategory", "The category as it now is (as it was, for a deletion).");

    public void AddTo(MutationType mutation)
    {
        mutation.Mutation<CreateDataCategoryInputType, CreateDataCategoryInput, DataCategory>("createDataCategory", _payload,
            "Adds a category to the registry (staff).", ["INVALID_CODE", "INVALID_TEXT", "INVALID_RETENTION", "CODE_TAKEN"],
            async m =>
            {
                var category = DataCategory.Create(m.Input.Code, m.Input.Category.ToDetails(), clock.GetUtcNow());
                var db = await m.DbAsync();
                Rule.Unique(!await db.DataCategories.AnyAsync(c => c.Code == category.Code, m.Cancellation), "CODE_TAKEN", CodeTaken(category.Code), "code");
                db.DataCategories.Add(category);
                await db.SaveChangesAsync(m.Cancellation);
                return category;
            }, onUniqueViolation: new Conflict("CODE_TAKEN", "A category with this code exists.", "code"))
            .Allow(Roles.Staff);

        mutation.Mutation<UpdateDataCategoryInputType, UpdateDataCategoryInput, DataCategory>("updateDataCategory", _payload,
            "Replaces a category's description, purpose, basis, kind and retention (staff). Purges use the new retention from their next run.",
            ["INVALID_TEXT", "INVALID_RETENTION", "CATEGORY_NOT_FOUND"],
            async m =>
            {
                var category = await FindAsync(m, m.Input.Code);
                category.Update(m.Input.Category.ToDetails(), clock.GetUtcNow());
                await (await m.DbAsync()).SaveChangesAsync(m.Cancellation);
                return category;
            })
            .Allow(Roles.Staff);

        mutation.Mutation<DeleteDataCategoryInputType, DeleteDataCategoryInput, DataCategory>("deleteDataCategory", _payload,
            "Removes a category the software does not use (staff).", ["SYSTEM_CATEGORY", "CATEGORY_NOT_FOUND"],
            async m =>
            {
                var category = await FindAsync(m, m.Input.Code);
                category.CheckCanBeDeleted();
                var db = await m.DbAsync();
                db.DataCategories.Remove(category);
                await db.SaveChangesAsync(m.Cancellation);
                return category;
            })
            .Allow(Roles.Staff);
    }

    private static async Task<DataCategory> FindAsync<TInput>(MutationContext<TInput> m, string code)
    {
        var checkedCode = DataCategory.CheckCode(code);
        var db = await m.DbAsync();
        return Rule.Found(await db.DataCategories.FirstOrDefaultAsync(c => c.Code == checkedCode, m.Cancellation),
            "CATEGORY_NOT_FOUND", $"There is no category with code {Excerpt.Quote(code)}.");
    }

    private static string CodeTaken(string code) => $"A category with code '{code}' exists.";
}

public sealed class DataCategoryInputType : InputObjectGraphType<DataCategoryInput>
{
    public DataCategoryInputType()
    {
        Name = "DataCategoryInput";
        Description = "What a category says. Texts are trimmed.";
        Field(i => i.Name).Description("1 to 100 characters.");
        Field(i => i.Description, nullable: true).Description("At most 2000 characters.");
        Field(i => i.Purpose).Description("1 to 1000 characters.");
        Field(i => i.LegalBasis, type: typeof(NonNullGraphType<LegalBasisType>)).Description("GDPR art. 6 lawful basis.");
        Field(i => i.Kind, type: typeof(NonNullGraphType<DataKindType>)).Description("Personal or technical.");
        Field(i => i.RetentionMonths).Description("Months kept, 0 to 120.");
        Field(i => i.RetentionDays).Description("Days kept after the months; months + days > 0.");
        Field(i => i.RetentionStartsFrom, nullable: true).Description("What the period counts from, in words.");
    }
}

public sealed class CreateDataCategoryInputType : InputObjectGraphType<CreateDataCategoryInput>
{
    public CreateDataCategoryInputType()
    {
        Name = "CreateDataCategoryInput";
        Field(i => i.Code).Description("2 to 50 characters: lower-case letters, digits, '_', starting with a letter.");
        Field(i => i.Category, type: typeof(NonNullGraphType<DataCategoryInputType>)).Description("What the category says.");
    }
}

public sealed class UpdateDataCategoryInputType : InputObjectGraphType<UpdateDataCategoryInput>
{
    public UpdateDataCategoryInputType()
    {
        Name = "UpdateDataCategoryInput";
        Field(i => i.Code).Description("The category to change.");
        Field(i => i.Category, type: typeof(NonNullGraphType<DataCategoryInputType>)).Description("What the category now says.");
    }
}

public sealed class DeleteDataCategoryInputType : InputObjectGraphType<DeleteDataCategoryInput>
{
    public DeleteDataCategoryInputType()
    {
        Name = "DeleteDataCategoryInput";
        Field(i => i.Code).Description("The category to remove.");
    }
}
