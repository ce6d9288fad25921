using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Stratum.Bench;

/// <summary>One wrk run: requests per second and latency percentiles, parsed from its --latency output.</summary>
public sealed partial record WrkResult(string Target, double RequestsPerSecond, double P50Ms, double P99Ms, long Errors)
{
    public static async Task<WrkResult> RunAsync(string target, string url, int connections, int seconds, string? token)
    {
        var arguments = $"-t2 -c{connections} -d{seconds}s --latency {(token is null ? "" : $"-H \"Authorization: Bearer {token}\" ")}\"{url}\"";
        using var process = Process.Start(new ProcessStartInfo("wrk", arguments) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"wrk failed: {await process.StandardError.ReadToEndAsync()}{output}");
        }
        var errors = Non2xx().Match(output) is { Success: true } m ? long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) : 0;
        return new WrkResult(target, double.Parse(Rate().Match(output).Groups[1].Value, CultureInfo.InvariantCulture),
            Percentile(output, "50%"), Percentile(output, "99%"), errors);
    }

    private static double Percentile(string output, string label)
    {
        var match = Regex.Match(output, $@"^\s*{Regex.Escape(label)}\s+([\d.]+)(us|ms|s)\s*$", RegexOptions.Multiline);
        var value = double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
        return match.Groups[2].Value switch { "us" => value / 1000, "s" => value * 1000, _ => value };
    }

    [GeneratedRegex(@"Requests/sec:\s+([\d.]+)")]
    private static partial Regex Rate();

    [GeneratedRegex(@"Non-2xx or 3xx responses:\s+(\d+)")]
    private static partial Regex Non2xx();
}
