using Microsoft.Extensions.Hosting;

namespace Imail.Worker;

public static class WorkerExtensions
{
    /// <summary>
    /// The worker's jobs (outbox relay, purge schedules), the same in the worker process and in
    /// the all-in-one development run. The jobs arrive with the outbox and purge issues.
    /// </summary>
    public static IHostApplicationBuilder AddImailWorker(this IHostApplicationBuilder builder) => builder;
}
