using System.Diagnostics;
using System.Globalization;
using Imail.Testing;

namespace Imail.Bench.Measure;

/// <summary>
/// CPU time spent by this process (API and baselines) and by the PostgreSQL cluster the tests'
/// fixture started (its postmaster and every backend). Divided by the requests served, it is the
/// cost of a request, which other programs on a shared machine do not change much, unlike req/s.
/// </summary>
public sealed class CpuMeter
{
    private readonly int? _postmaster = FindPostmaster();
    private static readonly double TicksPerSecond = 100; // USER_HZ: 100 on every Linux architecture .NET runs on

    public bool SeesPostgres => _postmaster is not null;

    public readonly record struct Reading(TimeSpan Process, TimeSpan Postgres);

    public Reading Read()
    {
        using var self = Process.GetCurrentProcess();
        return new Reading(self.TotalProcessorTime, PostgresTime());
    }

    /// <summary>User + system CPU time of another process (all its threads) so far; zero once it has ended.</summary>
    public static TimeSpan ProcessTime(int pid) =>
        Stat(pid) is { } stat ? TimeSpan.FromSeconds(stat.Ticks / TicksPerSecond) : TimeSpan.Zero;

    public TimeSpan PostgresTime()
    {
        if (_postmaster is not { } postmaster) return TimeSpan.Zero;
        long ticks = 0;
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid)) continue;
            if (Stat(pid) is not { } stat) continue;
            if (pid == postmaster || stat.ParentPid == postmaster) ticks += stat.Ticks;
            // Backends that have exited (closed connections) live on in the postmaster's children's time.
            if (pid == postmaster) ticks += stat.ChildTicks;
        }
        return TimeSpan.FromSeconds(ticks / TicksPerSecond);
    }

    /// <summary>Parent pid, user+system ticks and reaped children's ticks from /proc/PID/stat (the name may hold spaces: parse after the last ')').</summary>
    private static (int ParentPid, long Ticks, long ChildTicks)? Stat(int pid)
    {
        string text;
        try
        {
            text = File.ReadAllText($"/proc/{pid}/stat");
        }
        catch (IOException)
        {
            return null; // the process ended meanwhile
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
        var fields = text[(text.LastIndexOf(')') + 2)..].Split(' ');
        // After the name: state(0) ppid(1) … utime(11) stime(12) cutime(13) cstime(14).
        return (int.Parse(fields[1], CultureInfo.InvariantCulture),
            long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture),
            long.Parse(fields[13], CultureInfo.InvariantCulture) + long.Parse(fields[14], CultureInfo.InvariantCulture));
    }

    /// <summary>The cluster TestDatabase started for this process: its data folder's postmaster.pid names the server.</summary>
    private static int? FindPostmaster()
    {
        if (!OperatingSystem.IsLinux()) return null;
        var file = Path.Combine(TestDatabase.RepositoryRoot(), ".local", $"test-postgres-{Environment.ProcessId}", "data", "postmaster.pid");
        try
        {
            return int.TryParse(File.ReadLines(file).FirstOrDefault(), out var pid) ? pid : null;
        }
        catch (IOException)
        {
            return null; // IMAIL_TEST_POSTGRES names an outside server: only this process is metered
        }
    }
}
