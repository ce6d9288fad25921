using System.Globalization;

namespace Stratum.Bench;

/// <summary>bench/run's options; the same connections and duration are used for every target.</summary>
public sealed record BenchOptions(int Connections, int Seconds, int Rounds, int ClientCallers, int FreshnessSamples, string Telemetry = "both")
{
    public const string Usage = "usage: bench/run [--connections 32] [--seconds 10] [--rounds 2] [--client-callers 256] [--freshness-samples 100] [--telemetry both|off|on]";

    public bool TelemetryOff => Telemetry is "both" or "off";
    public bool TelemetryOn => Telemetry is "both" or "on";

    public static BenchOptions Parse(string[] args)
    {
        var options = new BenchOptions(32, 10, 2, 256, 100);
        for (var i = 0; i < args.Length; i += 2)
        {
            if (args[i] == "--telemetry")
            {
                options = i + 1 < args.Length && args[i + 1] is "both" or "off" or "on"
                    ? options with { Telemetry = args[i + 1] }
                    : throw new ArgumentException($"--telemetry is both, off or on.\n{Usage}");
                continue;
            }
            var value = i + 1 < args.Length && int.TryParse(args[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0
                ? n
                : throw new ArgumentException($"{args[i]} needs a positive number.\n{Usage}");
            options = args[i] switch
            {
                "--connections" => options with { Connections = value },
                "--seconds" => options with { Seconds = value },
                "--rounds" => options with { Rounds = value },
                "--client-callers" => options with { ClientCallers = value },
                "--freshness-samples" => options with { FreshnessSamples = value },
                _ => throw new ArgumentException($"Unknown option {args[i]}.\n{Usage}"),
            };
        }
        return options;
    }
}
