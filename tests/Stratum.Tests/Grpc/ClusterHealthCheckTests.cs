using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Stratum.Gateway.Grpc;

namespace Stratum.Tests.Grpc;

/// <summary>The gRPC health check while the gateway's Orleans client has not connected yet (the first seconds of a start).</summary>
public sealed class ClusterHealthCheckTests
{
    [Fact]
    public async Task A_client_not_connected_yet_is_unhealthy_not_a_failing_check()
    {
        // Built as the gateway builds its client, and never started: it knows no grain interface yet.
        using var host = new HostBuilder().UseOrleansClient(client => client.UseLocalhostClustering()).Build();
        var check = new GrpcApi.ClusterHealthCheck(host.Services.GetRequiredService<IClusterClient>());

        var result = await check.CheckHealthAsync(new HealthCheckContext
        {
            Registration = new HealthCheckRegistration("cluster", check, HealthStatus.Unhealthy, tags: null),
        });

        Assert.Equal(HealthStatus.Unhealthy, result.Status);
        Assert.Equal("The gateway has not connected to the cluster yet.", result.Description);
    }
}
