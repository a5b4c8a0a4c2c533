using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text.Json;
using Npgsql;

namespace Imail.Api.Hosting;

/// <summary>
/// A private PostgreSQL cluster run from the machine's own PostgreSQL binaries: the embedded
/// default of the development command and of the tests. Loopback TCP only, password
/// authentication, data in a folder of its own. Started as root, it runs the binaries as the
/// unprivileged <c>postgres</c> user, since PostgreSQL refuses to run as root.
/// </summary>
public sealed class LocalCluster : IAsyncDisposable
{
    private const string Superuser = "imail";
    private readonly string _bin;
    private readonly string? _runAs;
    private readonly bool _stopOnDispose;

    private LocalCluster(string directory, string bin, string? runAs, int port, string password, bool stopOnDispose)
    {
        Directory = directory;
        _bin = bin;
        _runAs = runAs;
        Port = port;
        Password = password;
        _stopOnDispose = stopOnDispose;
    }

    public string Directory { get; }
    public int Port { get; }
    public string Password { get; }
    private string DataDirectory => Path.Combine(Directory, "data");
    private string StateFile => Path.Combine(Directory, "cluster.json");
    private string LogFile => Path.Combine(Directory, "postgres.log");

    public string ConnectionString(string database) => new NpgsqlConnectionStringBuilder
    {
        Host = "127.0.0.1",
        Port = Port,
        Username = Superuser,
        Password = Password,
        Database = database,
    }.ConnectionString;

    /// <summary>
    /// Starts the cluster kept in <paramref name="directory"/>, creating it on first use. It keeps
    /// its port and password across runs. <paramref name="tuneForTests"/> trades durability for
    /// speed (no fsync): only for throw-away clusters.
    /// </summary>
    public static async Task<LocalCluster> StartAsync(string directory, bool tuneForTests = false,
        bool stopOnDispose = true, Action<string>? log = null, CancellationToken ct = default)
    {
        var bin = FindBinaries();
        var runAs = Environment.UserName == "root" || Environment.IsPrivilegedProcess ? "postgres" : null;
        if (runAs is not null && !UserExists(runAs))
            throw new LocalClusterException(
                "PostgreSQL refuses to run as root and there is no 'postgres' user to run it as: create one (useradd --system postgres) or run as an unprivileged user.");

        directory = Path.GetFullPath(directory);
        System.IO.Directory.CreateDirectory(directory);
        var state = File.Exists(Path.Combine(directory, "cluster.json"))
            ? JsonSerializer.Deserialize<State>(await File.ReadAllTextAsync(Path.Combine(directory, "cluster.json"), ct))!
            : null;

        var cluster = new LocalCluster(directory, bin, runAs, state?.Port ?? FreePort(),
            state?.Password ?? Convert.ToHexString(RandomNumberGenerator.GetBytes(16)).ToLowerInvariant(), stopOnDispose);

        if (state is null || !File.Exists(Path.Combine(cluster.DataDirectory, "PG_VERSION")))
        {
            log?.Invoke($"Creating a PostgreSQL cluster in {directory} (binaries: {bin})");
            await cluster.InitAsync(ct);
        }

        await cluster.StartServerAsync(tuneForTests, log, ct);
        return cluster;
    }

    private async Task InitAsync(CancellationToken ct)
    {
        if (System.IO.Directory.Exists(DataDirectory)) System.IO.Directory.Delete(DataDirectory, recursive: true);
        System.IO.Directory.CreateDirectory(DataDirectory);
        var pwFile = Path.Combine(Directory, "pwfile");
        await File.WriteAllTextAsync(pwFile, Password, ct);
        try
        {
            if (_runAs is not null)
            {
                // The unprivileged user must reach the folder and own the data directory.
                MakeTraversable(Directory);
                await RunAsync("chown", ["-R", _runAs, Directory], asUser: false, ct);
            }
            await RunAsync(Path.Combine(_bin, "initdb"),
                ["-D", DataDirectory, "-U", Superuser, "--pwfile", pwFile, "--auth", "scram-sha-256",
                 "-E", "UTF8", "--locale", "C.UTF-8", "--no-instructions"], asUser: true, ct);
        }
        finally
        {
            File.Delete(pwFile);
        }
        await File.WriteAllTextAsync(StateFile, JsonSerializer.Serialize(new State(Port, Password)), ct);
    }

    private async Task StartServerAsync(bool tuneForTests, Action<string>? log, CancellationToken ct)
    {
        if (await CanConnectAsync(ct)) return; // already running (a previous run left it up)

        // random_page_cost 1.1: the data is on SSD or in memory (PostgreSQL's default of 4 prices disk seeks, and makes
        // the planner scan whole tables for the loaders' `user_id = ANY($1)`: 4.6 ms instead of 0.3 ms, bench/README.md).
        var options = $"-p {Port} -c listen_addresses=127.0.0.1 -c unix_socket_directories='' -c max_connections=200 -c random_page_cost=1.1";
        if (tuneForTests) options += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c shared_buffers=128MB";
        if (_runAs is not null) await RunAsync("chown", [_runAs, Directory], asUser: false, ct);
        log?.Invoke($"Starting PostgreSQL on 127.0.0.1:{Port}");
        await RunAsync(Path.Combine(_bin, "pg_ctl"),
            ["-D", DataDirectory, "-l", LogFile, "-w", "-t", "60", "-o", options, "start"], asUser: true, ct);
        if (!await CanConnectAsync(ct))
            throw new LocalClusterException($"PostgreSQL started but refuses connections on port {Port}; see {LogFile}.");
    }

    public async Task StopAsync()
    {
        if (!File.Exists(Path.Combine(DataDirectory, "postmaster.pid"))) return;
        await RunAsync(Path.Combine(_bin, "pg_ctl"), ["-D", DataDirectory, "-m", "fast", "-w", "stop"], asUser: true,
            CancellationToken.None, throwOnFailure: false);
    }

    /// <summary>Stops the cluster kept in <paramref name="directory"/> if one is running there, without starting anything.</summary>
    public static async Task StopIfRunningAsync(string directory)
    {
        var bin = FindBinaries();
        var runAs = Environment.UserName == "root" || Environment.IsPrivilegedProcess ? "postgres" : null;
        var cluster = new LocalCluster(Path.GetFullPath(directory), bin, runAs, 0, "", stopOnDispose: false);
        await cluster.StopAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (_stopOnDispose) await StopAsync();
    }

    public async Task CreateDatabaseAsync(string name, string? template = null, CancellationToken ct = default)
    {
        await using var conn = new NpgsqlConnection(ConnectionString("postgres"));
        await conn.OpenAsync(ct);
        await using var cmd = new NpgsqlCommand(
            $"CREATE DATABASE \"{name}\"" + (template is null ? "" : $" TEMPLATE \"{template}\""), conn);
        await cmd.ExecuteNonQueryAsync(ct);
    }

    public async Task<bool> DatabaseExistsAsync(string name, CancellationToken ct = default)
    {
        await using var conn = new NpgsqlConnection(ConnectionString("postgres"));
        await conn.OpenAsync(ct);
        await using var cmd = new NpgsqlCommand("SELECT 1 FROM pg_database WHERE datname = @n", conn);
        cmd.Parameters.AddWithValue("n", name);
        return await cmd.ExecuteScalarAsync(ct) is not null;
    }

    private async Task<bool> CanConnectAsync(CancellationToken ct)
    {
        try
        {
            await using var conn = new NpgsqlConnection(ConnectionString("postgres") + ";Timeout=3;Pooling=false");
            await conn.OpenAsync(ct);
            return true;
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException or SocketException)
        {
            return false;
        }
    }

    /// <summary>The server binaries: <c>IMAIL_PG_BIN</c>, else the newest Debian-style install, else <c>pg_ctl</c> on PATH.</summary>
    public static string FindBinaries()
    {
        var candidates = new List<string>();
        if (Environment.GetEnvironmentVariable("IMAIL_PG_BIN") is { Length: > 0 } env) candidates.Add(env);
        if (System.IO.Directory.Exists("/usr/lib/postgresql"))
            candidates.AddRange(System.IO.Directory.GetDirectories("/usr/lib/postgresql")
                .OrderByDescending(d => int.TryParse(Path.GetFileName(d), out var v) ? v : 0)
                .Select(d => Path.Combine(d, "bin")));
        candidates.AddRange((Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries));
        foreach (var dir in candidates)
            if (File.Exists(Path.Combine(dir, "initdb")) && File.Exists(Path.Combine(dir, "pg_ctl")))
                return dir;
        throw new LocalClusterException(
            "No PostgreSQL server binaries found (initdb, pg_ctl): install them (Debian: apt-get install postgresql), " +
            "set IMAIL_PG_BIN to their folder, or set ConnectionStrings__Imail to an existing PostgreSQL.");
    }

    private async Task RunAsync(string file, string[] args, bool asUser, CancellationToken ct, bool throwOnFailure = true)
    {
        var psi = new ProcessStartInfo
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetTempPath(),
        };
        if (asUser && _runAs is not null)
        {
            psi.FileName = new[] { "/usr/sbin/runuser", "/sbin/runuser" }.FirstOrDefault(File.Exists) ?? "runuser";
            foreach (var a in (string[])["-u", _runAs, "--", file, .. args]) psi.ArgumentList.Add(a);
        }
        else
        {
            psi.FileName = file;
            foreach (var a in args) psi.ArgumentList.Add(a);
        }
        Process process;
        try
        {
            process = Process.Start(psi)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new LocalClusterException($"Cannot start {psi.FileName}: {e.Message}.");
        }
        using var _ = process;
        // pg_ctl's server inherits our pipes unless we stop reading: read to end only from the short-lived tools.
        var stdout = process.StandardOutput.ReadToEndAsync(ct);
        var stderr = process.StandardError.ReadToEndAsync(ct);
        await process.WaitForExitAsync(ct);
        if (process.ExitCode != 0 && throwOnFailure)
        {
            var log = File.Exists(LogFile) ? string.Join('\n', File.ReadLines(LogFile).TakeLast(10)) : "";
            throw new LocalClusterException(
                $"{Path.GetFileName(file)} failed ({process.ExitCode}): {(await stderr).Trim()} {(await stdout).Trim()}\n{log}".Trim());
        }
    }

    private static void MakeTraversable(string directory)
    {
        if (OperatingSystem.IsWindows()) return;
        for (var dir = new DirectoryInfo(directory); dir is not null; dir = dir.Parent)
        {
            var mode = File.GetUnixFileMode(dir.FullName);
            if (!mode.HasFlag(UnixFileMode.OtherExecute))
                File.SetUnixFileMode(dir.FullName, mode | UnixFileMode.OtherExecute);
        }
    }

    private static bool UserExists(string name) =>
        File.Exists("/etc/passwd") && File.ReadLines("/etc/passwd").Any(l => l.StartsWith(name + ":", StringComparison.Ordinal));

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private sealed record State(int Port, string Password);
}

public sealed class LocalClusterException(string message) : Exception(message);
