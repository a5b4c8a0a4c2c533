using Imail.Worker.Email;
using Imail.Worker.Partners;
using Imail.Worker.Relay;
using Imail.Worker.Schedules;

namespace Imail.Worker;

public static class WorkerExtensions
{
    /// <summary>
    /// The worker's jobs, the same in the worker process and in the all-in-one development run:
    /// e-mail sending, partner events, the outbox relay, and the Quartz schedules.
    /// </summary>
    public static IHostApplicationBuilder AddImailWorker(this IHostApplicationBuilder builder)
    {
        builder.AddImailEmail();
        builder.AddImailPartnerEvents();
        builder.AddOutboxRelay();
        builder.AddImailSchedules();
        return builder;
    }
}
