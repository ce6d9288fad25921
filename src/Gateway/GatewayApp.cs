using Azure.Data.Tables;
using Orleans.Configuration;
using Scalar.AspNetCore;
using Stratum.Changes;
using Stratum.Client;
using Stratum.Gateway.Changes;
using Stratum.Gateway.Auth;
using Stratum.Gateway.Endpoints;
using Stratum.Gateway.Http;
using Stratum.Security;

namespace Stratum.Gateway;

/// <summary>
/// The HTTP gateway: authenticates, translates HTTP to grain calls and back. Tests build it
/// with their own cluster client; the process builds it with an Orleans client from configuration.
/// </summary>
public static class GatewayApp
{
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(args);
        builder.AddServiceDefaults();
        builder.Services.Configure<AuthOptions>(builder.Configuration.GetSection(AuthOptions.Section));
        builder.Services.AddSingleton<TokenValidator>();
        builder.Services.AddSingleton<CallerAuthentication>();
        builder.Services.AddContractHttp();
        builder.Services.Configure<LatestCacheOptions>(builder.Configuration.GetSection(LatestCacheOptions.Section));
        builder.Services.Configure<WatchOptions>(builder.Configuration.GetSection(WatchOptions.Section));
        builder.Services.AddSingleton<LatestCache>();
        builder.Services.AddSingleton<LatestByFamilyReads>();
        builder.Services.AddSingleton<FamilyWatchHub>();
        Grpc.GrpcApi.AddServices(builder);
        if (configure is null)
        {
            builder.UseOrleansClient(client =>
            {
                var orleans = builder.Configuration.GetSection("Orleans");
                client.Configure<ClusterOptions>(o =>
                {
                    o.ClusterId = orleans["ClusterId"] ?? "stratum-dev";
                    o.ServiceId = orleans["ServiceId"] ?? "stratum";
                });
                var connectionString = builder.Configuration["Stratum:Storage:ConnectionString"] ?? "UseDevelopmentStorage=true";
                client.UseAzureStorageClustering(o => o.TableServiceClient = new TableServiceClient(connectionString));
                AddChangeFeed(client, connectionString);
                client.AddStratumReadYourWrites();
                // Mutual TLS to the silos' gateways (Orleans:Tls), on outside Development.
                client.UseStratumTls(builder.Configuration, builder.Environment.IsDevelopment());
            });
        }
        else
        {
            configure(builder);
        }
        // After the Orleans client, so that it is connected when the listener subscribes.
        builder.Services.AddHostedService<ChangeFeedListener>();

        var app = builder.Build();
        app.UseHeadAsGet();
        app.UseKeptRequests();
        app.Use(ApiErrors.Handle);
        app.UseLatestByFamilyShortcut();
        app.UseContractRefusals();
        app.UseRouting();
        app.UseCallerAuthentication();
        app.UseKnownQueryParameters();
        // The one document by its own path: a template served any name, the package's text/plain 404
        // for names it lacks, and 405 for other methods on them as if they existed.
        app.MapOpenApi("/openapi/v1.json");
        app.MapScalarApiReference("/docs", o => o.WithOpenApiRoutePattern("/openapi/{documentName}.json"))
            .AddEndpointFilter(OnlyKnownDocuments);
        app.MapGet("/healthz", () => Results.Json(new { status = "ok" })).ExcludeFromDescription();
        app.MapGet("/readyz", async (IClusterClient client) =>
        {
            var hosts = await client.GetGrain<IManagementGrain>(0).GetHosts(onlyActive: true);
            return hosts.Count > 0
                ? Results.Json(new { status = "ready", silos = hosts.Count })
                : ApiErrors.Result(ErrorCode.Unavailable, "No silo is active.");
        }).ExcludeFromDescription();
        app.MapRuntimeStats();

        var api = app.MapGroup("").RequireCaller().WithContractErrors();
        FolderEndpoints.Map(api);
        UploadEndpoints.Map(api);
        ImageEndpoints.Map(api);
        OperationEndpoints.Map(api);
        ComputeEndpoints.Map(api);
        Grpc.GrpcApi.Map(app);
        return app;
    }

    /// <summary>The change feed for a client of a cluster of silo processes: Azure Queue streams, the cluster's own queue.</summary>
    public static IClientBuilder AddChangeFeed(IClientBuilder client, string connectionString) => client.AddStratumChangeFeed(connectionString);

    /// <summary>
    /// The reference page serves any <c>/docs/{name}</c> as the page of OpenAPI document {name}; only
    /// v1 exists, so <c>/docs/index.html</c> was a 200 page that could not load its document: 404 instead.
    /// So is <c>/docs/v1/</c>, whose relative assets resolve under it and are not there (a blank page).
    /// </summary>
    private static ValueTask<object?> OnlyKnownDocuments(EndpointFilterInvocationContext context, EndpointFilterDelegate next) =>
        context.HttpContext.GetRouteValue("documentName") is string { Length: > 0 } name
            && (name != "v1" || context.HttpContext.Request.Path.Value?.EndsWith('/') == true)
            ? ValueTask.FromResult<object?>(Http.ApiErrors.Result(ErrorCode.NotFound,
                $"Nothing is served at {EchoedText.Shorten(context.HttpContext.Request.Path.Value ?? "")}; the API reference is at /docs/."))
            : next(context);
}
