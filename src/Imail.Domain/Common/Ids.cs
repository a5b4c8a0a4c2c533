namespace Imail.Domain.Common;

public static class Ids
{
    /// <summary>UUIDv7: time-ordered, so keyset pages and B-tree inserts stay cheap.</summary>
    public static Guid New(DateTimeOffset now) => Guid.CreateVersion7(now);
}
