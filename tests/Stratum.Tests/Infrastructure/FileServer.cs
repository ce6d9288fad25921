using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Stratum.Tests.Infrastructure;

/// <summary>
/// A loopback HTTP server for import tests: serves byte arrays and redirects, and counts requests
/// so a test can prove a refused URL was never fetched.
/// </summary>
public sealed class FileServer : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, byte[]> _files = new();
    private readonly ConcurrentDictionary<string, string> _redirects = new();
    private readonly ConcurrentDictionary<string, TimeSpan> _slow = new();
    private readonly ConcurrentDictionary<string, Func<HttpContext, Task>> _handlers = new();
    private readonly WebApplication _app;
    private int _requests;

    private FileServer(WebApplication app) => _app = app;

    public Uri BaseAddress { get; private set; } = null!;
    public int Requests => _requests;

    public static async Task<FileServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var server = new FileServer(app);
        app.Run(server.ServeAsync);
        await app.StartAsync();
        server.BaseAddress = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        return server;
    }

    public string Add(string name, byte[] content)
    {
        _files[name] = content;
        return new Uri(BaseAddress, name).ToString();
    }

    /// <summary>Serves the content a chunk at a time with a pause between, for tests that act mid-transfer.</summary>
    public string AddSlow(string name, byte[] content, TimeSpan pause)
    {
        _slow[name] = pause;
        return Add(name, content);
    }

    /// <summary>Answers requests for <paramref name="name"/> with a test's own handler: a source that misbehaves in a chosen way.</summary>
    public string Handle(string name, Func<HttpContext, Task> handler)
    {
        _handlers[name] = handler;
        return new Uri(BaseAddress, name).ToString();
    }

    public string Redirect(string name, string target)
    {
        _redirects[name] = target;
        return new Uri(BaseAddress, name).ToString();
    }

    private async Task ServeAsync(HttpContext context)
    {
        Interlocked.Increment(ref _requests);
        var name = context.Request.Path.Value!.TrimStart('/');
        if (_handlers.TryGetValue(name, out var handler))
        {
            await handler(context);
            return;
        }
        if (_redirects.TryGetValue(name, out var target))
        {
            context.Response.Redirect(target);
            return;
        }
        if (!_files.TryGetValue(name, out var content))
        {
            context.Response.StatusCode = 404;
            return;
        }
        context.Response.ContentLength = content.Length;
        if (!_slow.TryGetValue(name, out var pause))
        {
            await context.Response.Body.WriteAsync(content);
            return;
        }
        foreach (var chunk in content.Chunk(64 * 1024))
        {
            await context.Response.Body.WriteAsync(chunk, context.RequestAborted);
            await context.Response.Body.FlushAsync(context.RequestAborted);
            await Task.Delay(pause, context.RequestAborted);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
