using GraphQL;
using GraphQL.Types;
using Imail.Api.GraphQL;
using Microsoft.EntityFrameworkCore;

namespace Imail.Api.DataCategories;

public sealed class DataCategoryQueries : IQueryFields
{
    public void AddTo(QueryType query)
    {
        query.Field<NonNullGraphType<ListGraphType<NonNullGraphType<DataCategoryType>>>>("dataCategories")
            .Description("The data-category registry (P2), personal categories first, then by code. Public.")
            .AllowAnyone()
            .ResolveAsync(async ctx =>
            {
                await using var db = await ctx.Db();
                return await db.DataCategories.AsNoTracking()
                    .OrderBy(c => c.Kind).ThenBy(c => c.Code).ToListAsync(ctx.CancellationToken);
            });

        query.Field<DataCategoryType>("dataCategory")
            .Description("One category by code; null if there is none. Public.")
            .Argument<NonNullGraphType<StringGraphType>>("code")
            .AllowAnyone()
            .Resolve(ctx => Domain.DataCategories.DataCategory.IsCode(ctx.GetArgument<string>("code")) ? DataCategoryLoader.Load(ctx, ctx.GetArgument<string>("code")) : null);
    }
}
