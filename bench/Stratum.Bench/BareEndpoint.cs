using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Stratum.Bench;

/// <summary>
/// The ceiling: a bare ASP.NET Core minimal API on the same path, returning the same JSON body
/// the gateway returns, with no authentication, no cache and no cluster behind it.
/// </summary>
public static class BareEndpoint
{
    public static async Task RunAsync(int port, string bodyFile)
    {
        var body = await File.ReadAllBytesAsync(bodyFile);
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.MapGet("/compute/v1/images:latestByFamily", () => Results.Bytes(body, "application/json; charset=utf-8"));
        await app.RunAsync();
    }
}
