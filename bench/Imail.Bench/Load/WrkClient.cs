using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Imail.Bench.Load;

/// <summary>
/// <c>wrk</c> (C, epoll) in its own process with one thread: the lightest load generator at hand,
/// so most of the 2 cores go to the API and PostgreSQL. The request is set by a small Lua script.
/// </summary>
public sealed partial class WrkClient(string executable, int connections) : ILoadClient
{
    private readonly Dictionary<LoadTarget, string> _scripts = [];

    public string Description => $"wrk ({executable}), 1 thread, {connections} connections";

    public async Task<LoadResult> RunAsync(LoadTarget target, TimeSpan duration, CancellationToken ct)
    {
        var seconds = Math.Max(1, (int)Math.Round(duration.TotalSeconds));
        var start = new ProcessStartInfo(executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            ArgumentList = { "-t1", $"-c{connections}", $"-d{seconds}s", "--timeout", "10s", "--latency", "-s", Script(target), target.Url.ToString() },
        };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync(ct);
        var error = process.StandardError.ReadToEndAsync(ct);
        try
        {
            await process.WaitForExitAsync(ct);
        }
        catch (OperationCanceledException)
        {
            process.Kill();
            throw;
        }
        var text = await output;
        if (process.ExitCode != 0) throw new BenchException($"wrk failed ({process.ExitCode}): {await error}{text}");
        return Parse(text);
    }

    public static LoadResult Parse(string output)
    {
        double Latency(string percentile)
        {
            var m = Regex.Match(output, $@"^\s*{percentile}%\s+([\d.]+)(us|ms|s|m)\s*$", RegexOptions.Multiline);
            if (!m.Success) throw new BenchException($"Cannot read the {percentile}th percentile from wrk's output:\n{output}");
            var value = double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
            return m.Groups[2].Value switch { "us" => value / 1000, "ms" => value, "s" => value * 1000, _ => value * 60_000 };
        }

        var requests = RequestsLine().Match(output);
        var rate = RateLine().Match(output);
        if (!requests.Success || !rate.Success) throw new BenchException($"Cannot read wrk's output:\n{output}");
        long failures = 0;
        if (NonSuccessLine().Match(output) is { Success: true } bad) failures += long.Parse(bad.Groups[1].Value, CultureInfo.InvariantCulture);
        if (SocketErrorsLine().Match(output) is { Success: true } socket)
            failures += Enumerable.Range(1, 4).Sum(i => long.Parse(socket.Groups[i].Value, CultureInfo.InvariantCulture));
        return new LoadResult(
            double.Parse(rate.Groups[1].Value, CultureInfo.InvariantCulture),
            Latency("50"), Latency("99"),
            long.Parse(requests.Groups[1].Value, CultureInfo.InvariantCulture),
            failures);
    }

    /// <summary>The Lua script that makes wrk send this request (written once per target).</summary>
    private string Script(LoadTarget target)
    {
        if (_scripts.TryGetValue(target, out var path)) return path;
        path = Path.Combine(Path.GetTempPath(), $"imail-bench-{Environment.ProcessId}-{_scripts.Count}.lua");
        var lines = new List<string>
        {
            "wrk.method = \"POST\"",
            $"wrk.body = [==[{target.Body}]==]",
            "wrk.headers[\"Content-Type\"] = \"application/json\"",
            "wrk.headers[\"Accept\"] = \"application/graphql-response+json, application/json\"",
        };
        if (target.Token is not null) lines.Add($"wrk.headers[\"Authorization\"] = \"Bearer {target.Token}\"");
        File.WriteAllLines(path, lines);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => File.Delete(path);
        return _scripts[target] = path;
    }

    [GeneratedRegex(@"^\s*(\d+) requests in ", RegexOptions.Multiline)]
    private static partial Regex RequestsLine();

    [GeneratedRegex(@"^Requests/sec:\s+([\d.]+)", RegexOptions.Multiline)]
    private static partial Regex RateLine();

    [GeneratedRegex(@"Non-2xx or 3xx responses: (\d+)")]
    private static partial Regex NonSuccessLine();

    [GeneratedRegex(@"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)")]
    private static partial Regex SocketErrorsLine();
}
