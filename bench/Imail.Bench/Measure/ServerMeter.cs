namespace Imail.Bench.Measure;

/// <summary>What a server has finished so far, and the CPU it and PostgreSQL have used.</summary>
public readonly record struct ServerReading(long Completed, long Failed, TimeSpan Process, TimeSpan Postgres);

/// <summary>
/// Reads one side's server during a round: the requests it finished (from the server itself, so a
/// window in the middle of the load can be measured) and the CPU time of its process and of PostgreSQL.
/// </summary>
public interface IServerMeter
{
    Task<ServerReading> ReadAsync(CancellationToken ct);
}

/// <summary>The API and the hand-written baselines: servers in this process.</summary>
public sealed class InProcessServer(CpuMeter cpu, RequestCounter counter) : IServerMeter
{
    public Task<ServerReading> ReadAsync(CancellationToken ct)
    {
        var (completed, failed) = (counter.Completed, counter.Failed);
        var reading = cpu.Read();
        return Task.FromResult(new ServerReading(completed, failed, reading.Process, reading.Postgres));
    }
}
