using System.Net;
using Orleans.Configuration;
using Stratum.Hosting;
using Stratum.Security;
using Stratum.Storage;

// A Stratum silo: hosts the grains. Configured by Orleans:* and Stratum:* keys (see README),
// from appsettings, environment variables (Orleans__SiloPort) or the command line.
var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.Services.AddStratumServices(builder.Configuration);
builder.UseOrleans(silo =>
{
    var orleans = builder.Configuration.GetSection("Orleans");
    silo.Configure<ClusterOptions>(o =>
    {
        o.ClusterId = orleans["ClusterId"] ?? "stratum-dev";
        o.ServiceId = orleans["ServiceId"] ?? "stratum";
    });
    silo.ConfigureEndpoints(
        IPAddress.Parse(orleans["AdvertisedIP"] ?? "127.0.0.1"),
        orleans.GetValue("SiloPort", 11111),
        orleans.GetValue("GatewayPort", 30000),
        listenOnAnyHostAddress: orleans.GetValue("ListenOnAnyHostAddress", false));
    silo.UseAzureStorageClustering(options => options.Configure<StorageClients>((o, clients) => o.TableServiceClient = clients.Tables));
    silo.AddStratumAzureStorage();
    silo.AddStratumAzureChangeFeed();
    // Mutual TLS between silos and with clients (Orleans:Tls), on outside Development.
    silo.UseStratumTls(builder.Configuration, builder.Environment.IsDevelopment());
    // Benchmark-only grains (Stratum:Diagnostics:GrainAssembly), set by bench/run alone.
    silo.AddStratumDiagnosticGrains(builder.Configuration);
    // The sweep of unowned data copies runs on a reminder; registering it is idempotent, and retried in the background.
    silo.AddBackgroundStartupCall("register the data janitor's reminder",
        services => services.GetRequiredService<IGrainFactory>().GetGrain<Stratum.Deployment.IDataJanitorGrain>(0).ScheduleAsync());
});
var app = builder.Build();
app.MapHealthChecks("/healthz");
// Storage requests this silo sent, for the load-test tool's requests-per-VM figure.
app.MapGet("/stats/storage", (StorageClients clients) =>
{
    var totals = clients.Requests;
    return Results.Json(new { table = totals.Table, blob = totals.Blob, queue = totals.Queue, total = totals.Total });
});
// Where the busiest paths spend their time, and this process's GC pauses: the load-test tool's per-stage timings.
app.MapGet("/stats/stages", (Stratum.Diagnostics.StageTimings timings) => Results.Json(timings.Read()));
app.MapRuntimeStats();
app.Run();
