using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;

namespace Stratum.Tests.Unit;

/// <summary>The sampler settings the AppHost starts every process with, repeated by docker-compose.yml.</summary>
public sealed class TelemetryEnvironmentTests
{
    [Fact]
    public void Docker_compose_sets_the_same_sampler_on_every_silo_and_the_gateway()
    {
        var lines = File.ReadAllLines(Path.Combine(RepositoryRoot(), "docker-compose.yml"));
        var start = Array.IndexOf(lines, "x-telemetry: &telemetry");
        Assert.True(start >= 0, "docker-compose.yml has no x-telemetry block");
        var block = lines.Skip(start + 1).TakeWhile(l => l.StartsWith("  ", StringComparison.Ordinal))
            .Select(l => l.Trim().Split(':', 2))
            .ToDictionary(p => p[0], p => p[1].Trim().Trim('"'));
        Assert.Equal(TelemetryEnvironment.Variables.OrderBy(v => v.Key), block.OrderBy(v => v.Key));

        var text = string.Join('\n', lines);
        // The silos' shared environment and the gateway's own both merge it in.
        Assert.Equal(2, System.Text.RegularExpressions.Regex.Matches(text, @"^\s+<<: \*telemetry$", System.Text.RegularExpressions.RegexOptions.Multiline).Count);
        Assert.Contains("environment: &silo-env", text);
    }

    [Fact]
    public void The_variables_bind_to_the_telemetry_options()
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(TelemetryEnvironment.Variables.Select(v => KeyValuePair.Create(v.Key.Replace("__", ":", StringComparison.Ordinal), (string?)v.Value)))
            .Build();

        var options = configuration.GetSection(TelemetryOptions.Section).Get<TelemetryOptions>()!;

        Assert.Equal(0.01, options.TraceRatio);
        Assert.Equal(TimeSpan.FromMilliseconds(500), options.SlowRequest);
        Assert.Equal(int.Parse(TelemetryEnvironment.MaxTracesPerSecond, System.Globalization.CultureInfo.InvariantCulture), options.MaxTracesPerSecond);
        // Named as the option's property, so the value above came from the variable, not the option's default.
        Assert.Equal(TelemetryEnvironment.MaxTracesPerSecond, configuration[$"{TelemetryOptions.Section}:{nameof(TelemetryOptions.MaxTracesPerSecond)}"]);
        Assert.Equal(TelemetryEnvironment.TraceRatio, configuration["OTEL_TRACES_SAMPLER_ARG"]);
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Orleans.sln")))
            {
                return directory.FullName;
            }
        }
        throw new InvalidOperationException("Orleans.sln not found above the test binaries.");
    }
}
