using System.Globalization;

namespace Stratum.LoadTest;

/// <summary>The command line: <c>&lt;scenario&gt; [--count N] [--concurrency C] [--target gateway|client] [--local] ...</c>.</summary>
public sealed record LoadOptions
{
    public const string Usage = """
        usage: LoadTest <deploy|bulk|lookup|mixed|images> [options]
          --help, -h           print this and exit
          --count N            VMs to deploy, lookups to make or images to create (default 1000)
          --concurrency C      calls in flight (default 64; images: 16)
          --target T           gateway (default) or client (the Orleans client, straight to the cluster)
          --local              start Azurite, silos and a gateway of this checkout, prepare a folder and a pooled family image, run, stop
                               (not with --gateway, --storage, --cluster-id or --folder, which name an existing cluster)
          --silos N            silos to start with --local, 1 to 16 (default 2)
          --layer-shards N     deployment shards per folder, which also shard each layer's references, 1 to 64 (default: the silo's, 4)
          --gateway URL        an existing gateway (default http://127.0.0.1:8080)
          --token T            its bearer token (default dev-admin)
          --storage CONN       the cluster's storage connection string, for --target client without --local
          --cluster-id ID      its cluster id (default stratum-dev)
          --client-token T     the bearer token the Orleans client acts with (default: --token; with --local a JWT of serviceAccount:loadtest)
          --folder ID          an existing folder with a family to deploy from (without --local)
          --family NAME        that family (default loadtest)
          --batch N            instances per bulkCreate call, 1 to 1000 (default 500)
          --report DIR         write report.json and chart.svg there
          --kill-silo-at S     with --local and 2+ silos: kill one silo S seconds into the run (not after it ends)
          --warmup N           with --local, deploy or images: first run N of the same operations in folders of
                               their own, one per silo, not measured (a new cluster spends its first seconds
                               compiling); 0: none
          --configuration C    build configuration of the silo and gateway that --local starts (default Release)
          --telemetry on|off   with --local: on (default) runs the stack as `dotnet run --project src/AppHost` does, every
                               process exporting to an Aspire dashboard the tool starts; off exports nothing
        """;

    public string Scenario { get; init; } = "deploy";
    public int Count { get; init; } = 1000;
    public int Concurrency { get; init; } = 64;
    public string Target { get; init; } = "gateway";
    public bool Local { get; init; }
    public int Silos { get; init; } = 2;
    public int? LayerShards { get; init; }
    public string Gateway { get; init; } = "http://127.0.0.1:8080";
    public string Token { get; init; } = "dev-admin";
    public string? Storage { get; init; }
    public string ClusterId { get; init; } = "stratum-dev";
    public string? ClientToken { get; init; }
    public string? Folder { get; init; }
    public string Family { get; init; } = "loadtest";
    public int Batch { get; init; } = 500;
    public string? Report { get; init; }
    public double? KillSiloAt { get; init; }

    /// <summary>Operations run before the measured ones, in a folder of their own; none by default.</summary>
    public int Warmup { get; init; }
    public string Configuration { get; init; } = "Release";

    /// <summary>
    /// With <c>--local</c>: whether every process exports its telemetry to an Aspire dashboard the tool
    /// starts, with the AppHost's sampler settings (LocalCluster.Telemetry.cs). On by default: what users run.
    /// </summary>
    public bool Telemetry { get; init; } = true;

    /// <summary>Extra environment for every process <c>--local</c> starts (bench/run's telemetry-on cluster); not a command-line option.</summary>
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();

    /// <summary>Whether the caller asked for the usage (anywhere on the line): that is an answer, not a mistake.</summary>
    public static bool AsksForHelp(IReadOnlyList<string> args) => args.Any(arg => arg is "--help" or "-h");

    /// <summary>Options that name an existing cluster: with --local the tool starts its own, and would ignore them.</summary>
    private static readonly string[] ExistingClusterOptions = ["--gateway", "--storage", "--cluster-id", "--folder"];

    /// <summary>A day: longer than any run, and well within what a delay can wait (1e7 s overflowed it after the run).</summary>
    private const double MaxKillSiloAt = 86_400;

    /// <summary>
    /// Each silo is a process of its own on this machine (~200 MB, a runtime compiling at start): a trial's
    /// <c>--silos 100000</c> spawned silos until it was stopped. Sixteen is more than a workstation runs well.
    /// </summary>
    private const int MaxSilos = 16;

    /// <summary>A folder's every quota read and layer count asks each shard; past a few dozen that fan-out is the run.</summary>
    private const int MaxLayerShards = 64;

    /// <summary>Options that set up the cluster <c>--local</c> starts: without it they would be ignored.</summary>
    private static readonly string[] LocalClusterOptions = ["--silos", "--layer-shards", "--configuration", "--telemetry"];

    public static LoadOptions Parse(IReadOnlyList<string> line)
    {
        if (line.Count == 0 || line[0] is not ("deploy" or "bulk" or "lookup" or "mixed" or "images"))
        {
            throw new ArgumentException("The first argument is the scenario: deploy, bulk, lookup, mixed or images"
                + (line.Count == 0 ? "." : $", not '{Stratum.LoadTest.Report.Shorten(line[0])}'."));
        }
        // --count=5 is --count 5, as most command lines take it.
        var args = line.SelectMany(arg => arg.StartsWith("--", StringComparison.Ordinal) && arg.IndexOf('=') is > 2 and var at
            ? new[] { arg[..at], arg[(at + 1)..] } : [arg]).ToList();
        // Images are created from an image and waited for until READY, as a person or a pipeline does, a few at a time.
        var options = new LoadOptions { Scenario = args[0], Concurrency = args[0] == "images" ? 16 : 64 };
        var given = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 1; i < args.Count; i++)
        {
            // A second value would silently win over the first, which the caller may have meant.
            if (args[i].StartsWith("--", StringComparison.Ordinal) && !given.Add(args[i]))
            {
                throw new ArgumentException($"{args[i]} is given twice; give it once.");
            }
            // An empty value, or the next option taken as the value (`--folder --token t`), is a missing one.
            string Value() => i + 1 < args.Count && args[i + 1].Length > 0 && !args[i + 1].StartsWith("--", StringComparison.Ordinal)
                ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
            // The option's name is read before Value() moves past it: the message names the option, not the value.
            int Whole(int least, int most = int.MaxValue)
            {
                var option = args[i];
                return int.TryParse(Value(), NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= least && n <= most ? n
                    : throw new ArgumentException(most < int.MaxValue ? $"{option} takes {least} to {most}."
                        : least > 0 ? $"{option} takes a positive whole number." : $"{option} takes a whole number, 0 or more.");
            }
            int Int() => Whole(1);
            int AtMost(int most) => Whole(1, most);
            options = args[i] switch
            {
                "--count" => options with { Count = Int() },
                "--concurrency" => options with { Concurrency = Int() },
                "--target" => options with { Target = Value() is var target && target is "gateway" or "client" ? target : throw new ArgumentException("--target is gateway or client.") },
                "--local" => options with { Local = true },
                "--silos" => options with { Silos = AtMost(MaxSilos) },
                "--layer-shards" => options with { LayerShards = AtMost(MaxLayerShards) },
                "--gateway" => options with { Gateway = Value() },
                "--token" => options with { Token = Value() },
                "--storage" => options with { Storage = Value() },
                "--cluster-id" => options with { ClusterId = Value() },
                "--client-token" => options with { ClientToken = Value() },
                "--folder" => options with { Folder = Value() },
                "--family" => options with { Family = Value() },
                "--batch" => options with { Batch = Int() is var batch && batch <= BulkCreateInstancesRequest.MaxCount ? batch
                    : throw new ArgumentException($"--batch takes at most {BulkCreateInstancesRequest.MaxCount}: the API's bulkCreate creates at most that many instances a call.") },
                "--report" => options with { Report = Value() },
                "--kill-silo-at" => options with { KillSiloAt = double.TryParse(Value(), NumberStyles.Float, CultureInfo.InvariantCulture, out var s) && s is >= 0 and <= MaxKillSiloAt ? s
                    : throw new ArgumentException($"--kill-silo-at takes seconds, 0 to {MaxKillSiloAt}.") },
                "--configuration" => options with { Configuration = Value() },
                "--warmup" => options with { Warmup = Whole(0) },
                "--telemetry" => options with { Telemetry = Value() switch { "on" => true, "off" => false, _ => throw new ArgumentException("--telemetry is on or off.") } },
                _ => throw new ArgumentException($"Unknown option {args[i]}."),
            };
        }
        if (options.Local && ExistingClusterOptions.FirstOrDefault(given.Contains) is { } existing)
        {
            throw new ArgumentException($"{existing} names an existing cluster, and --local starts one of its own: give one or the other.");
        }
        if (!options.Local && LocalClusterOptions.FirstOrDefault(given.Contains) is { } localOnly)
        {
            throw new ArgumentException($"{localOnly} needs --local: it sets up the cluster the tool starts, not an existing one.");
        }
        if (given.Contains("--batch") && options.Scenario != "bulk")
        {
            throw new ArgumentException("--batch is for the bulk scenario: the instances of each bulkCreate call.");
        }
        if (options.KillSiloAt is not null && !options.Local)
        {
            throw new ArgumentException("--kill-silo-at needs --local: the tool only kills silos it started.");
        }
        if (options.KillSiloAt is not null && options.Silos < 2)
        {
            throw new ArgumentException("--kill-silo-at needs --silos 2 or more: with its only silo killed the cluster serves nothing.");
        }
        if (!Uri.TryCreate(options.Gateway, UriKind.Absolute, out var gateway) || gateway.Scheme is not ("http" or "https"))
        {
            throw new ArgumentException($"--gateway takes an http or https URL, such as http://127.0.0.1:8080, not '{Stratum.LoadTest.Report.Shorten(options.Gateway)}'.");
        }
        if (gateway.AbsolutePath != "/" || gateway.Query.Length > 0 || gateway.Fragment.Length > 0)
        {
            // The tool calls the API's paths from the gateway's root: a path or query given here would be dropped.
            throw new ArgumentException($"--gateway is the gateway's root URL, such as http://127.0.0.1:8080, without a path or query, not '{Stratum.LoadTest.Report.Shorten(options.Gateway)}'.");
        }
        if (gateway.UserInfo.Length > 0)
        {
            // The tool authenticates with --token; credentials in the URL would go unused, silently.
            throw new ArgumentException("--gateway takes no user name or password in its URL: the tool authenticates with --token.");
        }
        if (options.Target == "client" && !options.Local && options.Storage is null)
        {
            throw new ArgumentException("--target client without --local needs --storage (the cluster's storage connection string).");
        }
        if (options.Warmup > 0 && (!options.Local || options.Scenario is not ("deploy" or "images")))
        {
            throw new ArgumentException("--warmup needs --local and the deploy or images scenario: it prepares a folder and an image of its own.");
        }
        if (!options.Local && options.Folder is null)
        {
            throw new ArgumentException("Without --local, name the folder to deploy into with --folder (it needs a family, --family).");
        }
        return options;
    }
}
