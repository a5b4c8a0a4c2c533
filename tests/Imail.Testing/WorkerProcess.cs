using System.Collections.Concurrent;
using System.Diagnostics;

namespace Imail.Testing;

/// <summary>
/// The real <c>Imail.Worker</c> program as a separate process (<c>dotnet Imail.Worker.dll</c>),
/// configured by environment variables, so a test can kill it with SIGKILL. It runs from the
/// worker's own build output (same configuration as the tests): the test output also holds
/// Imail.Worker.dll, but without the assemblies the test project takes from the ASP.NET shared
/// framework, which the worker (a plain .NET app) needs as files.
/// </summary>
public sealed class WorkerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();

    private WorkerProcess(Process process) => _process = process;

    public int Id => _process.Id;
    public bool HasExited => _process.HasExited;

    /// <summary>Everything it printed (stdout and stderr).</summary>
    public IReadOnlyList<string> Output => _output.ToArray();

    /// <param name="settings">Configuration keys as in appsettings (<c>Imail:Relay:Lease</c>); passed as environment variables.</param>
    public static WorkerProcess Start(IDictionary<string, string?> settings)
    {
        var dll = WorkerDll();
        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { dll },
            WorkingDirectory = Path.GetDirectoryName(dll)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["DOTNET_ENVIRONMENT"] = "Testing";
        start.Environment["Logging__Console__FormatterName"] = "simple";
        foreach (var (key, value) in settings) start.Environment[key.Replace(":", "__")] = value;
        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var worker = new WorkerProcess(process);
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) worker._output.Enqueue(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) worker._output.Enqueue(e.Data); };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return worker;
    }

    /// <summary>src/Imail.Worker/bin/{Configuration}/{TargetFramework}/Imail.Worker.dll, the configuration and framework read off the test output's path.</summary>
    public static string WorkerDll()
    {
        var output = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var dll = Path.Combine(TestDatabase.RepositoryRoot(), "src", "Imail.Worker", "bin", output.Parent!.Name, output.Name, "Imail.Worker.dll");
        return File.Exists(dll) ? dll : throw new FileNotFoundException("Build the solution first: the worker's build output is missing.", dll);
    }

    /// <summary>SIGKILL: no shutdown, no last write; whatever it had claimed stays leased.</summary>
    public void Kill()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: false);
        _process.WaitForExit(10_000);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
        }
        _process.Dispose();
    }
}
