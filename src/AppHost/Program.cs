using System.Diagnostics;

// Runs Stratum locally: Azurite (installed from npm on first run), two silos and the gateway on
// http://127.0.0.1:8080 (REST), https://127.0.0.1:8443 (gRPC and REST over TLS, with the development
// CA in .stratum/dev, created on first run) and http://127.0.0.1:8081 (gRPC, plaintext HTTP/2), all
// in the Development environment, with the Aspire dashboard. The silos and the gateway share the
// change feed on Azurite's queues (one queue per cluster id).
var builder = DistributedApplication.CreateBuilder(args);
var root = Path.GetFullPath(Path.Combine(builder.AppHostDirectory, "..", ".."));
EnsureAzuriteInstalled(root);
var developmentCa = Path.Combine(root, ".stratum", "dev");
Stratum.Gateway.Tls.DevelopmentCertificateAuthority.LoadOrCreate(developmentCa).Dispose();

const string storage = "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;" +
    "AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;" +
    "BlobEndpoint=http://127.0.0.1:10000/devstoreaccount1;QueueEndpoint=http://127.0.0.1:10001/devstoreaccount1;TableEndpoint=http://127.0.0.1:10002/devstoreaccount1;";

// One cluster id for every run, so that a client (Stratum.Client, tools/Seed) knows it without
// asking: each silo comes back on its fixed ports and declares its previous run's entry dead.
const string clusterId = "stratum-dev";

// One process for the three services (the test fixtures and the load tool run one per service, for speed): at SIGTERM
// it only closes its servers, which waits for the silos' open connections, so it outlives the silos and they record
// their own shutdown (the tools kill theirs with SIGKILL for that reason). Split,
// the three stopped within a second and a silo coming back on its old endpoint could find its previous run still listed as active.
var azurite = builder.AddExecutable("azurite", Path.Combine(root, "node_modules", ".bin", "azurite"), root,
    "--silent", "--skipApiVersionCheck", "--disableTelemetry", "--location", Path.Combine(root, ".azurite"), "--blobHost", "127.0.0.1", "--queueHost", "127.0.0.1", "--tableHost", "127.0.0.1");

// Traces by Stratum's sampler (1% of requests, every failed or slow one) and metrics every 10 s, not the
// orchestrator's always_on and 1 s (TelemetryEnvironment).
IResourceBuilder<ProjectResource> WithTelemetry(IResourceBuilder<ProjectResource> project)
{
    foreach (var (name, value) in Microsoft.Extensions.Hosting.TelemetryEnvironment.Variables)
    {
        project.WithEnvironment(name, value);
    }
    return project;
}

IResourceBuilder<ProjectResource> Silo(int index) => WithTelemetry(builder.AddProject<Projects.Stratum_Silo>($"silo{index}"))
    .WithEnvironment("ASPNETCORE_ENVIRONMENT", "Development")
    .WithEnvironment("ASPNETCORE_URLS", "http://127.0.0.1:" + (8180 + index))
    .WithEnvironment("Orleans__SiloPort", (11110 + index).ToString())
    .WithEnvironment("Orleans__GatewayPort", (30000 + index - 1).ToString())
    .WithEnvironment("Stratum__Storage__ConnectionString", storage)
    .WithEnvironment("Orleans__ClusterId", clusterId)
    .WaitFor(azurite);

var silo1 = Silo(1);
var silo2 = Silo(2);
// The public standard-images folder, so the README's examples run against something real.
var seed = WithTelemetry(builder.AddProject<Projects.Stratum_Seed>("seed"))
    .WithEnvironment("DOTNET_ENVIRONMENT", "Development")
    .WithEnvironment("Stratum__Client__Token", "dev-admin")
    .WithEnvironment("Stratum__Storage__ConnectionString", storage)
    .WithEnvironment("Orleans__ClusterId", clusterId)
    .WaitFor(silo1)
    .WaitFor(silo2);

WithTelemetry(builder.AddProject<Projects.Stratum_Gateway>("gateway"))
    .WithEnvironment("ASPNETCORE_ENVIRONMENT", "Development")
    .WithEnvironment("ASPNETCORE_URLS", "http://127.0.0.1:8080")
    .WithEnvironment("Stratum__Grpc__TlsEndpoint", "127.0.0.1:8443")
    .WithEnvironment("Stratum__Grpc__PlaintextEndpoint", "127.0.0.1:8081")
    .WithEnvironment("Stratum__Grpc__DevelopmentCa__Directory", developmentCa)
    .WithEnvironment("Stratum__Storage__ConnectionString", storage)
    .WithEnvironment("Orleans__ClusterId", clusterId)
    .WaitFor(silo1)
    .WaitFor(silo2)
    // Once the gateway answers, the README's first request finds the seeded images (it had been 200 on /readyz
    // about 5 s before they existed).
    .WaitForCompletion(seed);

Console.WriteLine($"""

    Stratum, Development
      REST          http://127.0.0.1:8080  (OpenAPI /openapi/v1.json, reference /docs)
      gRPC          127.0.0.1:8443 (TLS; clients trust {Path.Combine(developmentCa, Stratum.Gateway.Tls.DevelopmentCertificateAuthority.CertificateFile)}), 127.0.0.1:8081 (plaintext HTTP/2)
      tokens        dev-admin (userAccount:admin, platform admin), dev-alice (userAccount:alice), dev-bob (userAccount:bob)
      Orleans       cluster id {clusterId}, service id stratum, silo gateways 127.0.0.1:30000 and 30001 (no TLS in Development)
      storage       {storage}
      dashboard     http://localhost:15080 (its login link follows)

    """);
builder.Build().Run();

static void EnsureAzuriteInstalled(string root)
{
    if (File.Exists(Path.Combine(root, "node_modules", ".bin", "azurite")))
    {
        return;
    }
    using var npm = Process.Start(new ProcessStartInfo("npm", "ci --no-audit --no-fund") { WorkingDirectory = root })!;
    npm.WaitForExit();
    if (npm.ExitCode != 0)
    {
        throw new InvalidOperationException("npm ci failed: Node.js and npm are needed to run Azurite.");
    }
}
