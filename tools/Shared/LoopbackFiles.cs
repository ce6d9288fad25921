using System.Buffers.Binary;
using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Stratum.Tools;

/// <summary>
/// Serves generated disk images on loopback, where the silos of a development cluster may import
/// from. Shared by the load-test tool and the seeding command (linked into both).
/// </summary>
internal sealed class LoopbackFiles : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, byte[]> _files = new();
    private WebApplication? _app;

    /// <summary>Serves the bytes under a fresh name and returns the URL to import them from.</summary>
    public async Task<string> ServeAsync(byte[] content)
    {
        if (_app is null)
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            builder.Logging.ClearProviders();
            _app = builder.Build();
            _app.Run(async context =>
            {
                if (_files.TryGetValue(context.Request.Path.Value!.TrimStart('/'), out var bytes))
                {
                    context.Response.ContentLength = bytes.Length;
                    await context.Response.Body.WriteAsync(bytes);
                }
                else
                {
                    context.Response.StatusCode = 404;
                }
            });
            await _app.StartAsync();
        }
        var name = Guid.NewGuid().ToString("N") + ".qcow2";
        _files[name] = content;
        return _app.Urls.First().TrimEnd('/') + "/" + name;
    }

    /// <summary>A valid qcow2 header of the given virtual size; the label in the data makes each file's content its own.</summary>
    public static byte[] Qcow2(long virtualSize, string label)
    {
        var file = new byte[192 * 1024];
        new byte[] { 0x51, 0x46, 0x49, 0xFB }.CopyTo(file, 0);
        BinaryPrimitives.WriteUInt32BigEndian(file.AsSpan(4), 3);
        BinaryPrimitives.WriteUInt32BigEndian(file.AsSpan(20), 16);
        BinaryPrimitives.WriteInt64BigEndian(file.AsSpan(24), virtualSize);
        System.Text.Encoding.ASCII.GetBytes(label).CopyTo(file, 4096);
        return file;
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
    }
}
