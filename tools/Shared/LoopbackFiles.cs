using System.Buffers.Binary;
using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
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

    /// <summary>
    /// A valid qcow2 of the given virtual size, laid out as qemu-img lays one out: header, refcount
    /// table, refcount block, L1 table, one L2 table and one data cluster, which holds the label, so
    /// each file's content (and a pooled image's layer) is its own.
    /// </summary>
    public static byte[] Qcow2(long virtualSize, string label)
    {
        const int cluster = 64 * 1024;
        var file = new byte[6 * cluster];
        new byte[] { 0x51, 0x46, 0x49, 0xFB }.CopyTo(file, 0);
        BinaryPrimitives.WriteUInt32BigEndian(file.AsSpan(4), 3);                       // version
        BinaryPrimitives.WriteUInt32BigEndian(file.AsSpan(20), 16);                      // cluster_bits
        BinaryPrimitives.WriteInt64BigEndian(file.AsSpan(24), virtualSize);
        BinaryPrimitives.WriteUInt32BigEndian(file.AsSpan(36), (uint)((virtualSize + (512L << 20) - 1) / (512L << 20))); // l1_size
        BinaryPrimitives.WriteInt64BigEndian(file.AsSpan(40), 3 * cluster);              // l1_table_offset
        BinaryPrimitives.WriteInt64BigEndian(file.AsSpan(48), cluster);                  // refcount_table_offset
        BinaryPrimitives.WriteUInt32BigEndian(file.AsSpan(56), 1);                       // refcount_table_clusters
        BinaryPrimitives.WriteUInt32BigEndian(file.AsSpan(96), 4);                       // refcount_order
        BinaryPrimitives.WriteUInt32BigEndian(file.AsSpan(100), 104);                    // header_length
        BinaryPrimitives.WriteInt64BigEndian(file.AsSpan(cluster), 2 * cluster);         // refcount table -> block
        for (var i = 0; i < 6; i++)
        {
            BinaryPrimitives.WriteUInt16BigEndian(file.AsSpan((2 * cluster) + (2 * i)), 1);
        }
        BinaryPrimitives.WriteUInt64BigEndian(file.AsSpan(3 * cluster), (4UL * cluster) | (1UL << 63)); // L1[0] -> L2
        BinaryPrimitives.WriteUInt64BigEndian(file.AsSpan(4 * cluster), (5UL * cluster) | (1UL << 63)); // L2[0] -> data
        System.Text.Encoding.ASCII.GetBytes(label).CopyTo(file, 5 * cluster);
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
