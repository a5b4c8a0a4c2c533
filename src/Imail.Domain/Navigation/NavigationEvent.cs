using Imail.Domain.Common;

namespace Imail.Domain.Navigation;

/// <summary>
/// One page view or operation (P6), stored only while the statistics purpose is validly
/// consented. Category <c>navigation</c>: technical, kept for its retention period (P7).
/// </summary>
public sealed class NavigationEvent
{
    public const int NameMaxLength = 500;

    private NavigationEvent() { }

    public Guid Id { get; private set; }
    public Guid? VisitorId { get; private set; }
    public Guid? UserId { get; private set; }
    public NavigationKind Kind { get; private set; }

    /// <summary>The page path (without query string) or the operation's name.</summary>
    public string Name { get; private set; } = "";

    public string FrontEnd { get; private set; } = "";
    public DateTimeOffset OccurredAt { get; private set; }

    public static NavigationEvent Record(Guid? visitorId, Guid? userId, NavigationKind kind, string name, string frontEnd, DateTimeOffset now)
    {
        name = Text.CheckName(name, NameMaxLength, "INVALID_NAVIGATION_NAME", "name", "A page or operation name");
        if (kind == NavigationKind.PageView)
        {
            // A query string or fragment can carry personal data (search terms, tokens): never kept.
            var cut = name.IndexOfAny(['?', '#']);
            if (cut >= 0) name = name[..cut];
        }
        return new NavigationEvent
        {
            Id = Ids.New(now),
            VisitorId = visitorId,
            UserId = userId,
            Kind = kind,
            Name = name,
            FrontEnd = frontEnd,
            OccurredAt = now,
        };
    }
}

public enum NavigationKind
{
    PageView,
    Operation,
}
