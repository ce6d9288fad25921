using Microsoft.Extensions.Diagnostics.HealthChecks;
using Stratum.Gateway.Changes;

namespace Stratum.Gateway.Grpc;

/// <summary>
/// The gRPC API beside REST in the same gateway: the provider's services, Stratum's own, server
/// reflection and health (for grpcurl, Postman and load balancers; no authentication).
/// </summary>
public static class GrpcApi
{
    public static void AddServices(WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<FamilyWatcher>();
        builder.Services.AddSingleton<CallerInterceptor>();
        builder.Services.AddSingleton<LatestLookup>();
        builder.Services.AddGrpc()
            .AddServiceOptions<ImageGrpcService>(Authenticated)
            .AddServiceOptions<DiskGrpcService>(Authenticated)
            .AddServiceOptions<SnapshotGrpcService>(Authenticated)
            .AddServiceOptions<InstanceGrpcService>(Authenticated)
            .AddServiceOptions<OperationGrpcService>(Authenticated)
            .AddServiceOptions<StratumImageGrpcService>(Authenticated)
            .AddServiceOptions<LayerGrpcService>(Authenticated)
            .AddServiceOptions<StratumFolderGrpcService>(Authenticated);
        builder.Services.AddGrpcReflection();
        builder.Services.AddGrpcHealthChecks().AddCheck<ClusterHealthCheck>("cluster");
        // Decided when Kestrel starts, so configuration added after this call (tests) counts.
        builder.WebHost.ConfigureKestrel((context, kestrel) =>
        {
            if (GrpcEndpoints.AreConfigured(context.Configuration))
            {
                GrpcEndpoints.Listen(kestrel, context.Configuration, context.HostingEnvironment);
            }
        });
    }

    public static void Map(WebApplication app)
    {
        app.MapGrpcService<ImageGrpcService>();
        app.MapGrpcService<DiskGrpcService>();
        app.MapGrpcService<SnapshotGrpcService>();
        app.MapGrpcService<InstanceGrpcService>();
        app.MapGrpcService<OperationGrpcService>();
        app.MapGrpcService<StratumImageGrpcService>();
        app.MapGrpcService<LayerGrpcService>();
        app.MapGrpcService<StratumFolderGrpcService>();
        app.MapGrpcReflectionService();
        app.MapGrpcHealthChecksService();
    }

    private static void Authenticated(global::Grpc.AspNetCore.Server.GrpcServiceOptions options) => options.Interceptors.Add<CallerInterceptor>();

    /// <summary>
    /// Serving while at least one silo is active, as /readyz. The health publisher runs it from 5 s after the
    /// start, while the Orleans client may still be connecting: before its first connection the client knows no
    /// grain interface (ArgumentException "Could not find an implementation for interface IManagementGrain"), and
    /// a cluster out of reach fails the call. Both are an answer (not serving), not a failure of the check, whose
    /// exception the health service logged with its stack at every run.
    /// </summary>
    internal sealed class ClusterHealthCheck(IClusterClient client) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            Dictionary<SiloAddress, SiloStatus> hosts;
            try
            {
                hosts = await client.GetGrain<IManagementGrain>(0).GetHosts(onlyActive: true);
            }
            catch (ArgumentException)
            {
                return HealthCheckResult.Unhealthy("The gateway has not connected to the cluster yet.");
            }
            catch (Exception e) when (e is OrleansException or TimeoutException)
            {
                return HealthCheckResult.Unhealthy($"The cluster is not reachable ({e.GetType().Name}: {e.Message}).");
            }
            return hosts.Count > 0 ? HealthCheckResult.Healthy($"{hosts.Count} silo(s) active") : HealthCheckResult.Unhealthy("No silo is active.");
        }
    }
}
