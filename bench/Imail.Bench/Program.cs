using System.Diagnostics;
using System.Runtime;
using System.Runtime.InteropServices;
using Imail.Bench;
using Imail.Bench.Benchmarks;
using Imail.Bench.Hosting;
using Imail.Bench.Load;
using Imail.Bench.Reporting;
using Imail.Domain.Consents;
using Imail.Testing;
using Microsoft.Extensions.DependencyInjection;

// What to run: every benchmark for the default time, unless told otherwise (--help).
var options = BenchOptions.Parse(args);
if (options is null) return args.Contains("--help") || args.Contains("-h") ? 0 : 2;

using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true; // stop cleanly, so PostgreSQL and wrk are stopped too
    cancel.Cancel();
};
void Log(string line) => Console.WriteLine(line);

#if DEBUG
Log("⚠ Debug build: numbers mean little. Run with -c Release.");
#endif
var startedAt = DateTimeOffset.UtcNow;
ApiUnderTest? api = null;
BaselineHost? baseline = null;
BenchContext? context = null;
try
{
    // The load generator: wrk, installed from Debian when missing, or the in-process .NET client.
    var client = await LoadClients.CreateAsync(options, Log);

    // PostgreSQL as the tests start it (a cluster from the machine's binaries, a database cloned from the migrated template), seeded by SQL.
    Log("Starting PostgreSQL and the API…");
    api = new ApiUnderTest();
    await api.InitializeAsync();
    var users = await Seed.UsersAsync(api.ConnectionString, options.Users);

    // The API under test: the real host on a loopback Kestrel port.
    api.Start();

    // The hand-written baselines, in this process, on another loopback port.
    baseline = await BaselineHost.StartAsync(api.ConnectionString, api.InMemory, api.Services.GetRequiredService<ConsentRules>());
    Log($"API at {api.Address}, baselines at {baseline.Address}; load: {client.Description}");

    context = new BenchContext(options, api, baseline, client, users[users.Count / 2], Log, cancel.Token);
    var rows = new List<ResultRow>();
    foreach (var benchmark in Catalog.All.Where(b => options.Selects(b.Id)))
    {
        Log($"{benchmark.Id}…");
        rows.Add(await benchmark.RunAsync(context));
    }

    var run = new RunInfo(startedAt, Commit(),
        $"{Environment.ProcessorCount} cores, {RuntimeInformation.OSDescription}",
        $"{RuntimeInformation.FrameworkDescription}, {(GCSettings.IsServerGC ? "server" : "workstation")} GC",
        await Seed.ServerVersionAsync(api.ConnectionString), client.Description, options);
    Report.Print(rows, Console.Out);
    var written = await Report.WriteAsync(Path.Combine(TestDatabase.RepositoryRoot(), "bench", "results"), run, rows);
    Log($"Report: {Path.GetRelativePath(Environment.CurrentDirectory, written)} (and bench/results/latest.md, .json)");
    return rows.All(r => r.Outcome == Outcome.Pass) ? 0 : 1;
}
catch (OperationCanceledException) when (cancel.IsCancellationRequested)
{
    Console.Error.WriteLine("Cancelled.");
    return 130;
}
catch (BenchException e)
{
    Console.Error.WriteLine(e.Message);
    return 2;
}
finally
{
    if (context is not null) await context.DisposeAsync();
    if (baseline is not null) await baseline.DisposeAsync();
    if (api is not null) await api.DisposeAsync();
}

// The commit measured, so a report can be traced back; "+ changes" when the tree is not clean.
static string Commit()
{
    try
    {
        string Git(string arguments)
        {
            using var git = Process.Start(new ProcessStartInfo("git", arguments)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                WorkingDirectory = TestDatabase.RepositoryRoot(),
            })!;
            var output = git.StandardOutput.ReadToEnd().Trim();
            git.WaitForExit();
            return output;
        }
        var head = Git("rev-parse --short HEAD");
        return Git("status --porcelain --untracked-files=no").Length > 0 ? head + " + uncommitted changes" : head;
    }
    catch (System.ComponentModel.Win32Exception)
    {
        return "unknown (no git)";
    }
}
