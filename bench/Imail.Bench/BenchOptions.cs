using System.Globalization;

namespace Imail.Bench;

/// <summary>What to run and for how long; every option has a default, so no option is needed.</summary>
public sealed record BenchOptions
{
    /// <summary>Measured time per side (GraphQL and baseline) per throughput benchmark, split into rounds.</summary>
    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(24);

    /// <summary>Least unmeasured load per side before the rounds; it goes on until the JIT is quiet (see <see cref="MaxWarmup"/>).</summary>
    public TimeSpan Warmup { get; init; } = TimeSpan.FromSeconds(6);

    /// <summary>Most warm-up per side, when the JIT never quiets.</summary>
    public TimeSpan MaxWarmup => Warmup > TimeSpan.FromSeconds(60) ? Warmup : TimeSpan.FromSeconds(60);

    /// <summary>How many rounds per side; the sides alternate (ABBA…) so slow drift cancels out.</summary>
    public int Rounds { get; init; } = 8;

    /// <summary>Concurrent connections of the load generator.</summary>
    public int Connections { get; init; } = 32;

    /// <summary><c>wrk</c>, <c>dotnet</c> (the in-process client) or <c>auto</c> (wrk, installed when missing; else dotnet).</summary>
    public string Client { get; init; } = "auto";

    /// <summary>Prints every warm-up step.</summary>
    public bool Verbose { get; init; }

    /// <summary>Rows in the seeded <c>users</c> table.</summary>
    public int Users { get; init; } = 10_000;

    /// <summary>B2: measured sign-ups (half as many more, twice as fast, warm up first).</summary>
    public int B2Messages { get; init; } = 400;

    /// <summary>B2: sign-ups per second, steady and well below saturation.</summary>
    public double B2Rate { get; init; } = 20;

    /// <summary>B3: e-mails per run.</summary>
    public int B3Emails { get; init; } = 10_000;

    /// <summary>B3: rounds of the three sides (MailKit, relay with 1 worker, with 2 workers), alternating order.</summary>
    public int B3Rounds { get; init; } = 3;

    /// <summary>B3: try relay settings (batch size, parallelism, no SMTP) even when the target is met; they always run when it is missed.</summary>
    public bool Profile { get; init; }

    /// <summary>Benchmark ids to run (B1, B1b, B1c, B6, B9 or one of B9.users, B9.me, B9.user, B9.status, B2, B3, B5, B7); empty for all.</summary>
    public IReadOnlySet<string> Only { get; init; } = new HashSet<string>(StringComparer.OrdinalIgnoreCase);

    public TimeSpan Round => Duration / Rounds;

    public bool Selects(string id) => Only.Count == 0 || Only.Contains(id) || (id.IndexOf('.') is > 0 and var dot && Only.Contains(id[..dot]));

    public const string Usage = """
        usage: dotnet run -c Release --project bench/Imail.Bench -- [options]
          --duration T     measured time per side per throughput benchmark (default 24s), split into rounds
          --warmup T       least unmeasured warm-up per side (default 6s); it goes on while the JIT is
                           still optimising (at most 60s)
          --rounds N       rounds per side, alternating baseline/GraphQL (default 8)
          --connections N  concurrent connections of the load generator (default 32)
          --client C       wrk | dotnet | auto (default: wrk, installed with apt-get when missing)
          --users N        users seeded in the database (default 10000)
          --messages N     B2: measured signUp mutations (default 400), sent at --rate
          --rate R         B2: signUp mutations per second (default 20)
          --emails N       B3: e-mails per run (default 10000)
          --b3-rounds N    B3: rounds of MailKit / relay 1 worker / relay 2 workers (default 3)
          --profile        B3: also try relay settings (BatchSize, Parallelism, no SMTP) when the target is met
          --only IDS       run only these benchmarks, e.g. --only B1c or --only B2,B3 or --only B9 (B9.users,
                           B9.me, B9.user, B9.status: the reads against PostGraphile)
          --verbose        print every warm-up step (req/s, methods the JIT compiled), and the SQL B3 saw
        T is a number with a unit: 500ms, 10s, 2m (a bare number is seconds).
        Exit code: 0 all targets met, 1 a target missed or a check failed, 2 bad usage or harness error.
        """;

    /// <summary>Parses the command line; null (after printing why) when it cannot be understood.</summary>
    public static BenchOptions? Parse(string[] args)
    {
        var options = new BenchOptions();
        var only = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < args.Length; i++)
        {
            var name = args[i];
            string Value() => i + 1 < args.Length ? args[++i] : throw new FormatException($"{name} needs a value.");
            try
            {
                options = name switch
                {
                    "--duration" => options with { Duration = ParseTime(Value()) },
                    "--warmup" => options with { Warmup = ParseTime(Value()) },
                    "--rounds" => options with { Rounds = PositiveInt(Value()) },
                    "--connections" => options with { Connections = PositiveInt(Value()) },
                    "--client" => options with { Client = Value() is var c && c is "wrk" or "dotnet" or "auto" ? c : throw new FormatException("--client is wrk, dotnet or auto.") },
                    "--users" => options with { Users = PositiveInt(Value()) },
                    "--messages" => options with { B2Messages = PositiveInt(Value()) },
                    "--rate" => options with { B2Rate = PositiveInt(Value()) },
                    "--emails" => options with { B3Emails = PositiveInt(Value()) },
                    "--b3-rounds" => options with { B3Rounds = PositiveInt(Value()) },
                    "--only" => options,
                    "--profile" => options with { Profile = true },
                    "-v" or "--verbose" => options with { Verbose = true },
                    "-h" or "--help" => throw new HelpRequested(),
                    _ => throw new FormatException($"Unknown option '{name}'."),
                };
                if (name == "--only")
                    foreach (var id in Value().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                        only.Add(Benchmarks.Catalog.Selectable.FirstOrDefault(k => k.Equals(id, StringComparison.OrdinalIgnoreCase))
                                 ?? throw new FormatException($"Unknown benchmark '{id}'; known: {string.Join(", ", Benchmarks.Catalog.Selectable)}."));
            }
            catch (HelpRequested)
            {
                Console.WriteLine(Usage);
                return null;
            }
            catch (FormatException e)
            {
                Console.Error.WriteLine(e.Message);
                Console.Error.WriteLine(Usage);
                return null;
            }
        }
        return options with { Only = only };
    }

    private static int PositiveInt(string raw) =>
        int.TryParse(raw, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : throw new FormatException($"'{raw}' is not a positive whole number.");

    public static TimeSpan ParseTime(string raw)
    {
        var (number, unit) = raw.EndsWith("ms", StringComparison.Ordinal) ? (raw[..^2], 0.001)
            : raw.EndsWith('s') ? (raw[..^1], 1.0)
            : raw.EndsWith('m') ? (raw[..^1], 60.0)
            : (raw, 1.0);
        if (!double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || value <= 0)
            throw new FormatException($"'{raw}' is not a time (e.g. 500ms, 10s, 2m).");
        return TimeSpan.FromSeconds(value * unit);
    }

    private sealed class HelpRequested : Exception;
}
