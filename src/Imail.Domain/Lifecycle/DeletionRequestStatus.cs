namespace Imail.Domain.Lifecycle;

/// <summary>Where deletion requests stand against their deadline (P10): what staff's lists filter on.</summary>
public enum DeletionRequestStatus
{
    /// <summary>Awaiting the person's code, or pending.</summary>
    Open,

    /// <summary>Pending, not yet past due, due within <see cref="DeletionRequestOptions.DueSoonDays"/>.</summary>
    DueSoon,

    /// <summary>Pending and past due: the legal deadline is missed.</summary>
    Overdue,

    /// <summary>Carried out or cancelled.</summary>
    Closed,
}

/// <summary>Section <c>Imail:Lifecycle</c>: how deletion requests are listed to staff.</summary>
public sealed class DeletionRequestOptions
{
    public const string Section = "Imail:Lifecycle";

    /// <summary>A pending request due within this many days is <see cref="DeletionRequestStatus.DueSoon"/>.</summary>
    public int DueSoonDays { get; set; } = 7;
}

public static class DeletionRequestFilters
{
    public static IQueryable<DeletionRequest> WithStatus(this IQueryable<DeletionRequest> requests, DeletionRequestStatus status, DateTimeOffset now, int dueSoonDays)
    {
        var soon = now.AddDays(dueSoonDays);
        return status switch
        {
            DeletionRequestStatus.Open => requests.Where(r => r.State == DeletionRequestState.AwaitingConfirmation || r.State == DeletionRequestState.Pending),
            DeletionRequestStatus.DueSoon => requests.Where(r => r.State == DeletionRequestState.Pending && r.DueAt >= now && r.DueAt < soon),
            DeletionRequestStatus.Overdue => requests.Where(r => r.State == DeletionRequestState.Pending && r.DueAt < now),
            _ => requests.Where(r => r.State == DeletionRequestState.Completed || r.State == DeletionRequestState.Cancelled),
        };
    }
}
