using System.Diagnostics;

namespace Imail.Bench.Load;

/// <summary>One kind of request, sent over and over: a POST with a JSON body and a bearer token.</summary>
public sealed record LoadTarget(string Name, Uri Url, string Body, string? Token);

/// <summary>What one timed run measured. <see cref="Failures"/> counts non-2xx answers and socket errors.</summary>
public sealed record LoadResult(double RequestsPerSecond, double P50Ms, double P99Ms, long Requests, long Failures);

/// <summary>A load generator: keeps <c>connections</c> requests in flight for a fixed time.</summary>
public interface ILoadClient
{
    /// <summary>For the report, e.g. "wrk 4.1.0, 1 thread, 32 connections".</summary>
    string Description { get; }

    Task<LoadResult> RunAsync(LoadTarget target, TimeSpan duration, CancellationToken ct);
}

public static class LoadClients
{
    /// <summary>
    /// wrk when asked or when it can be had (it is a Debian package; installed with apt-get when
    /// missing, as the project's other set-up does), else the in-process .NET client.
    /// </summary>
    public static async Task<ILoadClient> CreateAsync(BenchOptions options, Action<string> log)
    {
        if (options.Client == "dotnet") return new DotnetClient(options.Connections);
        var wrk = FindOnPath("wrk") ?? await InstallWrkAsync(log);
        if (wrk is not null) return new WrkClient(wrk, options.Connections);
        if (options.Client == "wrk") throw new BenchException("wrk is not installed and could not be installed (apt-get install -y wrk); use --client dotnet.");
        log("wrk is unavailable: using the in-process .NET load client (it shares the process, so ratios read a little closer to 1).");
        return new DotnetClient(options.Connections);
    }

    private static async Task<string?> InstallWrkAsync(Action<string> log)
    {
        if (!Environment.IsPrivilegedProcess || FindOnPath("apt-get") is null) return null;
        log("Installing wrk (apt-get install -y wrk)…");
        if (await RunAsync("apt-get", "install -y -q wrk") != 0 && await RunAsync("apt-get", "update -q") == 0)
            await RunAsync("apt-get", "install -y -q wrk");
        return FindOnPath("wrk");
    }

    private static async Task<int> RunAsync(string file, string arguments)
    {
        var start = new ProcessStartInfo(file, arguments) { RedirectStandardOutput = true, RedirectStandardError = true };
        start.Environment["DEBIAN_FRONTEND"] = "noninteractive";
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0) Console.Error.WriteLine($"{file} {arguments} failed ({process.ExitCode}): {await error}{await output}");
        return process.ExitCode;
    }

    public static string? FindOnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
        .Select(dir => Path.Combine(dir, name))
        .FirstOrDefault(File.Exists);
}

/// <summary>A problem that stops the run, told in one sentence.</summary>
public sealed class BenchException(string message) : Exception(message);
