using GraphQL;
using GraphQL.DataLoader;
using Imail.Domain.DataCategories;
using Imail.Domain.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Imail.Api.DataCategories;

public static class DataCategoryLoader
{
    /// <summary>Categories by code, one query for all codes asked for at one level of the request.</summary>
    public static IDataLoaderResult<DataCategory?> Load(IResolveFieldContext ctx, string code) =>
        ctx.Loader<string, DataCategory>("dataCategoriesByCode", async (services, codes, ct) =>
        {
            await using var db = await services.GetRequiredService<IDbContextFactory<ImailDbContext>>().CreateDbContextAsync(ct);
            return await db.DataCategories.AsNoTracking().Where(c => codes.Contains(c.Code)).ToDictionaryAsync(c => c.Code, ct);
        }).Load(code);
}
