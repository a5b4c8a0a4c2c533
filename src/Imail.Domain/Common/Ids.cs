namespace Imail.Domain.Common;

public static class Ids
{
    /// <summary>UUIDv7: time-ordered, so keyset pages and B-tree inserts stay cheap.</summary>
    public static Guid New(TimeProvider clock) => Guid.CreateVersion7(clock.GetUtcNow());
}
