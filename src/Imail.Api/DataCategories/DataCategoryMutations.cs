using GraphQL;
using GraphQL.Types;
using Imail.Api.Auth;
using Imail.Api.GraphQL;
using Imail.Api.Users;
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
    public void AddTo(MutationType mutation)
    {
        mutation.Field<NonNullGraphType<DataCategoryPayloadType>>("createDataCategory")
            .Description("Adds a category to the registry (staff). Errors: `INVALID_CODE`, `INVALID_TEXT`, `INVALID_RETENTION`, `CODE_TAKEN`.")
            .Argument<NonNullGraphType<CreateDataCategoryInputType>>("input")
            .Allow(Roles.Staff)
            .ResolveAsync(async ctx => await Payload.Attempt(async () =>
            {
                var input = ctx.GetArgument<CreateDataCategoryInput>("input");
                var category = DataCategory.Create(input.Code, input.Category.ToDetails(), clock);
                await using var db = await ctx.Db();
                if (await db.DataCategories.AnyAsync(c => c.Code == category.Code, ctx.CancellationToken))
                    return Payload<DataCategory>.Fail(new ConflictError("CODE_TAKEN", $"A category with code '{category.Code}' exists.", "code"));
                db.DataCategories.Add(category);
                await db.SaveChangesAsync(ctx.CancellationToken);
                return Payload<DataCategory>.Ok(category);
            }));

        mutation.Field<NonNullGraphType<DataCategoryPayloadType>>("updateDataCategory")
            .Description("Replaces a category's description, purpose, basis, kind and retention (staff). Purges use the new retention from their next run. Errors: `INVALID_TEXT`, `INVALID_RETENTION`, `CATEGORY_NOT_FOUND`.")
            .Argument<NonNullGraphType<UpdateDataCategoryInputType>>("input")
            .Allow(Roles.Staff)
            .ResolveAsync(async ctx => await Payload.Attempt(async () =>
            {
                var input = ctx.GetArgument<UpdateDataCategoryInput>("input");
                await using var db = await ctx.Db();
                var code = DataCategory.CheckCode(input.Code);
                var category = await db.DataCategories.FirstOrDefaultAsync(c => c.Code == code, ctx.CancellationToken);
                if (category is null) return NotFound(input.Code);
                category.Update(input.Category.ToDetails(), clock);
                await db.SaveChangesAsync(ctx.CancellationToken);
                return Payload<DataCategory>.Ok(category);
            }));

        mutation.Field<NonNullGraphType<DataCategoryPayloadType>>("deleteDataCategory")
            .Description("Removes a category the software does not use (staff). Errors: `SYSTEM_CATEGORY`, `CATEGORY_NOT_FOUND`.")
            .Argument<NonNullGraphType<DeleteDataCategoryInputType>>("input")
            .Allow(Roles.Staff)
            .ResolveAsync(async ctx => await Payload.Attempt(async () =>
            {
                var input = ctx.GetArgument<DeleteDataCategoryInput>("input");
                await using var db = await ctx.Db();
                var code = DataCategory.CheckCode(input.Code);
                var category = await db.DataCategories.FirstOrDefaultAsync(c => c.Code == code, ctx.CancellationToken);
                if (category is null) return NotFound(input.Code);
                category.CheckCanBeDeleted();
                db.DataCategories.Remove(category);
                await db.SaveChangesAsync(ctx.CancellationToken);
                return Payload<DataCategory>.Ok(category);
            }));
    }

    private static Payload<DataCategory> NotFound(string code) =>
        Payload<DataCategory>.Fail(new NotFoundError("CATEGORY_NOT_FOUND", $"There is no category with code {Excerpt.Quote(code)}."));
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

public sealed class DataCategoryPayloadType()
    : PayloadType<DataCategory, DataCategoryType>("DataCategoryPayload", "dataCategory", "The category as it now is (as it was, for a deletion).");
