using System.Text;
using System.Text.RegularExpressions;
using Imail.Testing;
using Npgsql;

namespace Imail.Bench.Measure;

/// <summary>
/// The plans PostgreSQL actually ran for the API's statements, as prepared under load: loads
/// <c>auto_explain</c> into the API's new sessions (for its role, in its database only), drops the
/// pooled connections so the next request opens such sessions, runs the request enough times for
/// Npgsql to prepare its statements and PostgreSQL to settle on a plan, and reads the last plan of
/// each statement from the cluster's log. Then it turns logging off and drops those sessions again,
/// so nothing of it is measured.
/// </summary>
public static partial class PlanRecorder
{
    /// <summary>Requests sent: Npgsql prepares a statement at its second use, PostgreSQL may switch to a generic plan after five executions.</summary>
    public const int Repeats = 8;

    public static async Task<IReadOnlyList<(string Sql, string Plan)>> DuringAsync(string connectionString, Func<Task> request)
    {
        var log = LogFile();
        if (log is null) return [];
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        var scope = $"ROLE \"{builder.Username}\" IN DATABASE \"{builder.Database}\"";
        await ExecuteAsync(connectionString,
            $"ALTER {scope} SET session_preload_libraries = 'auto_explain'; ALTER {scope} SET auto_explain.log_min_duration = 0; " +
            $"ALTER {scope} SET auto_explain.log_analyze = on; ALTER {scope} SET auto_explain.log_timing = off;");
        NpgsqlConnection.ClearAllPools();
        long start;
        try
        {
            for (var i = 0; i < Repeats - 1; i++) await request();
            start = new FileInfo(log).Length;
            await request();
            await Task.Delay(200);
        }
        finally
        {
            await ExecuteAsync(connectionString,
                $"ALTER {scope} RESET session_preload_libraries; ALTER {scope} RESET auto_explain.log_min_duration; " +
                $"ALTER {scope} RESET auto_explain.log_analyze; ALTER {scope} RESET auto_explain.log_timing;");
            NpgsqlConnection.ClearAllPools();
        }
        return Parse(await ReadFromAsync(log, start));
    }

    /// <summary>Sequential scans of the tables the bench's reads must reach by index.</summary>
    public static IEnumerable<string> SequentialScans(IEnumerable<(string Sql, string Plan)> plans) =>
        plans.SelectMany(p => SeqScan().Matches(p.Plan).Select(m => m.Groups[1].Value)).Distinct();

    private static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString + ";Pooling=false");
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private static string? LogFile()
    {
        var file = Path.Combine(TestDatabase.RepositoryRoot(), ".local", $"test-postgres-{Environment.ProcessId}", "postgres.log");
        return File.Exists(file) ? file : null; // IMAIL_TEST_POSTGRES: an outside server's log is not ours to read
    }

    private static async Task<string> ReadFromAsync(string file, long offset)
    {
        await using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        stream.Seek(offset, SeekOrigin.Begin);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return await reader.ReadToEndAsync();
    }

    /// <summary>auto_explain's entries: "LOG:  duration: … plan:", then "Query Text: …" and the plan, on tab-indented lines.</summary>
    private static List<(string Sql, string Plan)> Parse(string text)
    {
        var plans = new List<(string, string)>();
        foreach (Match entry in Entry().Matches(text))
        {
            var body = entry.Groups[1].Value.Replace("\r", "", StringComparison.Ordinal);
            var lines = body.Split('\n').Select(l => l.StartsWith('\t') ? l[1..] : l).ToList();
            var planStart = lines.FindIndex(l => PlanNode().IsMatch(l));
            if (planStart < 0) continue;
            var sql = string.Join(' ', lines.Take(planStart)).Replace("Query Text:", "", StringComparison.Ordinal).Trim();
            plans.Add((sql, string.Join('\n', lines.Skip(planStart)).TrimEnd()));
        }
        return plans;
    }

    [GeneratedRegex(@"LOG:  duration: [0-9.]+ ms  plan:\n((?:\t.*\n?)+)")]
    private static partial Regex Entry();

    [GeneratedRegex(@"\(cost=\d")]
    private static partial Regex PlanNode();

    [GeneratedRegex(@"Seq Scan on (users|consents|connected_accounts|connected_account_fields|visitors)\b")]
    private static partial Regex SeqScan();
}
