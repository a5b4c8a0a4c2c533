using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Imail.Worker.Relay;

public static class RelayExtensions
{
    /// <summary>
    /// The outbox relay: hosted loops that claim, deliver and record, woken by PostgreSQL NOTIFY.
    /// Senders (<see cref="IOutboxSender"/>) are registered by their own features.
    /// </summary>
    public static IHostApplicationBuilder AddOutboxRelay(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<RelayOptions>().BindConfiguration(RelayOptions.Section)
            .Validate(o => o.BatchSize > 0 && o.Lease > TimeSpan.Zero && o.PollInterval > TimeSpan.Zero && o.MaxAttempts > 0
                && o.BackoffBase > TimeSpan.Zero && o.BackoffMax >= o.BackoffBase && o.Jitter is >= 0 and < 1 && o.Parallelism > 0,
                "Imail:Relay: BatchSize, Lease, PollInterval, MaxAttempts, BackoffBase and Parallelism must be positive, BackoffMax ≥ BackoffBase, 0 ≤ Jitter < 1.")
            .ValidateOnStart();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.TryAddSingleton<RelayDatabase>();
        builder.Services.TryAddSingleton<OutboxStore>();
        builder.Services.TryAddSingleton<RelayWakeUp>();
        builder.Services.AddHostedService<OutboxListener>();
        builder.Services.AddHostedService<OutboxRelay>();
        return builder;
    }
}
