using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Metrics;

namespace Stratum.Tests.Unit;

/// <summary>What every request of a Stratum process pays for beyond its handler, as the service defaults set it up.</summary>
public sealed class RequestOverheadTests
{
    [Fact]
    public async Task The_per_request_hosting_logger_is_off_unless_configuration_names_it()
    {
        // Enabled at any level, it makes ASP.NET Core open a log scope and start an Activity for every request.
        await using var quiet = Build([]);
        await using var named = Build(new() { [$"Logging:LogLevel:{ServiceDefaultsExtensions.HostingDiagnostics}"] = "Information" });

        Assert.False(HostingLogger(quiet).IsEnabled(LogLevel.Critical));
        Assert.True(HostingLogger(named).IsEnabled(LogLevel.Information));
    }

    [Fact]
    public async Task Request_durations_are_exported_and_the_per_request_routing_and_buffer_counters_are_not()
    {
        var exported = new List<Metric>();
        await using var app = Build(new() { ["OTEL_EXPORTER_OTLP_ENDPOINT"] = "http://127.0.0.1:1" },
            builder => builder.Services.ConfigureOpenTelemetryMeterProvider(metrics => metrics.AddInMemoryExporter(exported)));
        app.MapGet("/fine", () => "fine");
        await app.StartAsync();
        using (var http = new HttpClient { BaseAddress = new Uri(app.Urls.First()) })
        {
            for (var i = 0; i < 3; i++)
            {
                (await http.GetAsync("/fine")).Dispose();
            }
        }
        app.Services.GetRequiredService<MeterProvider>().ForceFlush();
        await app.StopAsync();

        var names = exported.Select(m => m.Name).ToHashSet();
        Assert.Contains("http.server.request.duration", names);
        Assert.DoesNotContain("aspnetcore.routing.match_attempts", names);
        Assert.DoesNotContain(names, name => name.StartsWith("aspnetcore.memory_pool.", StringComparison.Ordinal));
    }

    private static ILogger HostingLogger(WebApplication app) =>
        app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(ServiceDefaultsExtensions.HostingDiagnostics);

    private static WebApplication Build(Dictionary<string, string?> configuration, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Environment.ApplicationName = "overhead-test-" + Guid.NewGuid().ToString("N");
        builder.Configuration.AddInMemoryCollection(configuration);
        builder.AddServiceDefaults();
        configure?.Invoke(builder);
        return builder.Build();
    }
}
