using Imail.Testing;
using Microsoft.EntityFrameworkCore;

namespace Imail.Api.Tests.Auth;

/// <summary>P9: signing in at any time before the deadline cancels the deletion the invitation announced; not after.</summary>
public class InactivitySignInTests(ImailApiFactory api) : IClassFixture<ImailApiFactory>
{
    private const string Me = "{ me { id } }";

    [Fact]
    public async Task P9_ASignInOneSecondBeforeTheDeadline_SavesTheAccount_OneSecondAfter_DoesNot()
    {
        var saved = await api.CreateUserAsync("saved-by-sign-in@example.org");
        var lost = await api.CreateUserAsync("too-late@example.org");
        var deadline = api.Clock.GetUtcNow().AddMinutes(-1);
        await InvitedAsync(saved.Id, deadline);
        await InvitedAsync(lost.Id, deadline);

        await api.GraphQLAsync(Me, token: api.UserToken(saved.Id, deadline.AddSeconds(-1)));
        await api.GraphQLAsync(Me, token: api.UserToken(lost.Id, deadline.AddSeconds(1)));

        Assert.Equal(((DateTimeOffset?)null, (DateTimeOffset?)null, (long?)deadline.AddSeconds(-1).ToUnixTimeSeconds()), await MarksAsync(saved.Id));
        // Recorded, but too late: the marks stay and the inactivity job erases the account.
        Assert.Equal(((DateTimeOffset?)deadline.AddDays(-30), (DateTimeOffset?)deadline, (long?)deadline.AddSeconds(1).ToUnixTimeSeconds()), await MarksAsync(lost.Id));
    }

    [Fact]
    public async Task P9_AnOldTokenUsedAfterTheInvitation_IsNotANewSignIn_AndSavesNothing()
    {
        var user = await api.CreateUserAsync("old-token@example.org");
        var signedIn = api.Clock.GetUtcNow().AddDays(-40);
        await api.GraphQLAsync(Me, token: api.UserToken(user.Id, signedIn));
        var deadline = api.Clock.GetUtcNow().AddDays(10);
        await InvitedAsync(user.Id, deadline);

        // The same authentication (a refreshed token keeps its auth_time): the account has not been used since.
        await api.GraphQLAsync(Me, token: api.UserToken(user.Id, signedIn));

        Assert.Equal(((DateTimeOffset?)deadline.AddDays(-30), (DateTimeOffset?)deadline, (long?)signedIn.ToUnixTimeSeconds()), await MarksAsync(user.Id));
    }

    private Task InvitedAsync(Guid userId, DateTimeOffset deadline) => api.ExecuteDbAsync(db => db.Users.Where(u => u.Id == userId)
        .ExecuteUpdateAsync(s => s.SetProperty(u => u.InactivityWarnedAt, deadline.AddDays(-30)).SetProperty(u => u.InactivityDeadline, deadline)));

    private async Task<(DateTimeOffset? WarnedAt, DateTimeOffset? Deadline, long? LastAuthenticated)> MarksAsync(Guid userId)
    {
        var user = await api.ExecuteDbAsync(db => db.Users.AsNoTracking().SingleAsync(u => u.Id == userId));
        return (user.InactivityWarnedAt, user.InactivityDeadline, user.LastAuthenticatedAt?.ToUnixTimeSeconds());
    }
}
