using Imail.Domain.Common;
using Imail.Domain.Lifecycle;
using Imail.Domain.Persistence;
using Imail.Domain.Policies;
using Microsoft.EntityFrameworkCore;

namespace Imail.Domain.ConnectedAccounts;

/// <summary>
/// Connecting an account of another service to a person's account (P4): a first connection, or
/// the same external account again, which replaces the grant and what was received; refused to an
/// account staff restricted from it (P11). Disconnecting is never refused: it deletes data. One
/// instance per unit of work; the caller saves.
/// </summary>
public sealed class AccountConnections(ImailDbContext db, ConnectedAccountProviders catalogue, TimeProvider clock)
{
    public async Task<Reception> ConnectAsync(Guid userId, string provider, string externalAccountId, IReadOnlyCollection<string> grantedScopes,
        IReadOnlyCollection<ReceivedField> received, CancellationToken ct)
    {
        var user = await db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.Id == userId, ct);
        Rule.Check(user is not null, new UserMustExistRule());
        user!.Require(Capability.ConnectedAccounts);
        var known = catalogue.Find(provider)?.Name ?? provider;
        // P13: a scope only a version lowering privacy allows waits for that version to govern the person.
        (await new PolicyBook(db, clock).GovernanceAsync(userId, ct))
            .RequireAllowed(grantedScopes.Select(s => new ProviderScopeRef(known, s?.Trim() ?? "")));
        var externalId = externalAccountId?.Trim() ?? "";
        var existing = await db.ConnectedAccounts.FirstOrDefaultAsync(
            a => a.UserId == userId && a.Provider == known && a.ExternalAccountId == externalId, ct);
        if (existing is not null) return new Reception(existing, existing.Reconnect(grantedScopes, received, catalogue, clock.GetUtcNow()));
        var reception = ConnectedAccount.Connect(userId, provider, externalAccountId!, grantedScopes, received, catalogue, clock.GetUtcNow());
        db.ConnectedAccounts.Add(reception.Account);
        return reception;
    }

    /// <summary>Disconnects one of the person's accounts and deletes everything received from it (cascade); whether there was one.</summary>
    public async Task<bool> DisconnectAsync(Guid userId, Guid connectedAccountId, CancellationToken ct) =>
        await db.ConnectedAccounts.Where(a => a.Id == connectedAccountId && a.UserId == userId).ExecuteDeleteAsync(ct) > 0;
}

/// <summary>Disconnecting needs one of the person's own connected accounts.</summary>
public sealed record ConnectedAccountNotFoundRule() : BusinessRule("CONNECTED_ACCOUNT_NOT_FOUND",
    "You have no connected account with this id.", null, RuleKind.NotFound);
