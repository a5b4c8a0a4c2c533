using GraphQL;
using GraphQL.DataLoader;

namespace Imail.Api.GraphQL.Conventions;

/// <summary>
/// A batching DataLoader: keys asked for while one level of the query resolves are fetched in
/// one call, then cached for the rest of the request. GraphQL.NET waits on
/// <see cref="IDataLoaderResult"/>s only after the whole level has been visited, which is what
/// makes one batch per level possible.
/// </summary>
public sealed class BatchLoader<TKey, TValue>(Func<IReadOnlyCollection<TKey>, CancellationToken, Task<IReadOnlyDictionary<TKey, TValue>>> fetch)
    where TKey : notnull
{
    private readonly Lock _lock = new();
    private readonly Dictionary<TKey, Task<IReadOnlyDictionary<TKey, TValue>>> _batchOf = [];
    private List<TKey> _pending = [];

    public IDataLoaderResult<TValue?> Load(TKey key)
    {
        lock (_lock)
        {
            if (!_batchOf.ContainsKey(key) && !_pending.Contains(key)) _pending.Add(key);
        }
        return new Result(this, key);
    }

    private async Task<TValue?> GetAsync(TKey key, CancellationToken ct)
    {
        Task<IReadOnlyDictionary<TKey, TValue>> batch;
        lock (_lock)
        {
            if (!_batchOf.TryGetValue(key, out batch!))
            {
                var keys = _pending;
                _pending = [];
                batch = fetch(keys, ct);
                foreach (var k in keys) _batchOf[k] = batch;
            }
        }
        return (await batch).GetValueOrDefault(key);
    }

    private sealed class Result(BatchLoader<TKey, TValue> loader, TKey key) : IDataLoaderResult<TValue?>
    {
        public Task<TValue?> GetResultAsync(CancellationToken ct = default) => loader.GetAsync(key, ct);
        async Task<object?> IDataLoaderResult.GetResultAsync(CancellationToken ct) => await GetResultAsync(ct);
    }
}

public static class BatchLoaders
{
    /// <summary>The request's loader of that name, created on first use; it lives as long as the request.</summary>
    public static BatchLoader<TKey, TValue> Loader<TKey, TValue>(this IResolveFieldContext ctx, string name,
        Func<IServiceProvider, IReadOnlyCollection<TKey>, CancellationToken, Task<IReadOnlyDictionary<TKey, TValue>>> fetch)
        where TKey : notnull
    {
        var key = "loader:" + name;
        lock (ctx.UserContext)
        {
            if (ctx.UserContext.TryGetValue(key, out var existing)) return (BatchLoader<TKey, TValue>)existing!;
            var services = ctx.RequestServices ?? throw new InvalidOperationException("No request services.");
            var loader = new BatchLoader<TKey, TValue>((keys, ct) => fetch(services, keys, ct));
            ctx.UserContext[key] = loader;
            return loader;
        }
    }
}

public static class DataLoaderResults
{
    /// <summary>Shapes a loaded value once it arrives, still batched with the rest of the level.</summary>
    public static IDataLoaderResult<TResult> Then<T, TResult>(this IDataLoaderResult<T> result, Func<T, TResult> shape) =>
        new Shaped<T, TResult>(result, shape);

    private sealed class Shaped<T, TResult>(IDataLoaderResult<T> inner, Func<T, TResult> shape) : IDataLoaderResult<TResult>
    {
        public async Task<TResult> GetResultAsync(CancellationToken ct = default) => shape(await inner.GetResultAsync(ct));
        async Task<object?> IDataLoaderResult.GetResultAsync(CancellationToken ct) => await GetResultAsync(ct);
    }
}
