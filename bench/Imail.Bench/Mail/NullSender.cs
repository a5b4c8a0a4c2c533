using Imail.Worker.Relay;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Imail.Bench.Mail;

/// <summary>
/// Profiling only: a sender that reports every e-mail delivered without composing or sending it,
/// so a relay run with it measures the outbox machinery alone (claim, lease, results, wake-up) —
/// the ceiling the relay could reach with a free SMTP server.
/// </summary>
public sealed class NullSender : IOutboxSender
{
    public bool CanSend(string kind) => kind.StartsWith(Imail.Domain.Outbox.EmailTemplates.KindPrefix, StringComparison.Ordinal);

    public Task<DeliveryResult[]> SendAsync(IReadOnlyList<OutboxEnvelope> messages, CancellationToken ct) =>
        Task.FromResult(Enumerable.Repeat(DeliveryResult.Delivered, messages.Count).ToArray());

    public static void Replace(IServiceCollection services)
    {
        services.RemoveAll<IOutboxSender>();
        services.AddSingleton<IOutboxSender, NullSender>();
    }
}
