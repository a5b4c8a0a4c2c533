using System.Text;
using GraphQL;
using GraphQL.Types;
using GraphQL.Types.Relay;
using GraphQL.Types.Relay.DataObjects;
using Imail.Domain.Common;

namespace Imail.Api.GraphQL.Conventions;

/// <summary>One page of a Relay connection. <c>totalCount</c> is only counted when asked for.</summary>
public sealed class Page<T>(IReadOnlyList<T> nodes, Func<T, string> cursorOf, bool hasNextPage, bool hasPreviousPage,
    Func<CancellationToken, Task<int>> countTotal)
{
    public IReadOnlyList<T> Nodes { get; } = nodes;
    public IEnumerable<Edge<T>> Edges => Nodes.Select(n => new Edge<T> { Node = n, Cursor = cursorOf(n) });
    public PageInfo PageInfo => new()
    {
        HasNextPage = hasNextPage,
        HasPreviousPage = hasPreviousPage,
        StartCursor = Nodes.Count > 0 ? cursorOf(Nodes[0]) : null,
        EndCursor = Nodes.Count > 0 ? cursorOf(Nodes[^1]) : null,
    };
    public Task<int> CountTotalAsync(CancellationToken ct) => countTotal(ct);
}

/// <summary>A Relay connection: <c>nodes</c>, <c>edges</c>, <c>pageInfo</c>, <c>totalCount</c>.</summary>
public abstract class ConnectionType<TNodeGraph, T> : ObjectGraphType<Page<T>> where TNodeGraph : IGraphType
{
    protected ConnectionType(string nodeName)
    {
        Name = nodeName + "Connection";
        Description = $"A page of {nodeName} items, in a stable order, with cursors to fetch the next page.";
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<TNodeGraph>>>>("nodes")
            .Description("The items of this page.").Resolve(ctx => ctx.Source.Nodes);
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<PublicEdgeType<TNodeGraph>>>>>("edges")
            .Description("The items of this page with their cursors.").Resolve(ctx => ctx.Source.Edges);
        Field<NonNullGraphType<PublicPageInfoType>>("pageInfo")
            .Description("Where this page stands: pass `endCursor` as `after` to get the next one.").Resolve(ctx => ctx.Source.PageInfo);
        Field<NonNullGraphType<IntGraphType>>("totalCount")
            .Description("How many items match, across all pages.").ResolveAsync(async ctx => await ctx.Source.CountTotalAsync(ctx.CancellationToken));
        this.AllowAnyone();
    }
}

/// <summary>Relay's PageInfo, readable by whoever may read the connection it belongs to.</summary>
public sealed class PublicPageInfoType : PageInfoType
{
    public PublicPageInfoType() => this.AllowAnyone();
}

/// <summary>Relay's edge, readable by whoever may read the connection; its node keeps its own rules.</summary>
public sealed class PublicEdgeType<TNodeGraph> : EdgeType<TNodeGraph> where TNodeGraph : IGraphType
{
    public PublicEdgeType() => this.AllowAnyone();
}

public static class Paging
{
    public const int DefaultPageSize = 20;
    public const int MaxPageSize = 100;

    public static QueryArguments Arguments(params QueryArgument[] more) => new(
    [
        new QueryArgument<IntGraphType> { Name = "first", Description = $"Page size, 1 to {MaxPageSize} (default {DefaultPageSize})." },
        new QueryArgument<StringGraphType> { Name = "after", Description = "Cursor after which the page starts (a previous page's `endCursor`)." },
        .. more,
    ]);

    public static int First(IResolveFieldContext ctx)
    {
        var first = ctx.GetArgument<int?>("first") ?? DefaultPageSize;
        if (first is < 1 or > MaxPageSize)
            throw new ExecutionError($"'first' must be between 1 and {MaxPageSize}; it was {first}.") { Code = "INVALID_PAGE_SIZE" };
        return first;
    }

    public static string EncodeCursor(string value) => Convert.ToBase64String(Encoding.UTF8.GetBytes(value));

    public static string? DecodeCursor(IResolveFieldContext ctx)
    {
        var raw = ctx.GetArgument<string?>("after");
        if (raw is null) return null;
        try
        {
            return Encoding.UTF8.GetString(Convert.FromBase64String(raw));
        }
        catch (FormatException)
        {
            throw new ExecutionError($"'after' is not a cursor this API gave out: {Excerpt.Quote(raw)}.") { Code = "INVALID_CURSOR" };
        }
    }
}
