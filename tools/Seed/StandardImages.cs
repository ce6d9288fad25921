using System.Buffers.Binary;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Stratum.Seed;

/// <summary>
/// Seeds the folder <c>standard-images</c> with two public families of small generated images,
/// through the Orleans client as a platform admin. Idempotent: what exists is kept, what is missing
/// is made, and every image ends up public (compute.images.user for allAuthenticatedUsers).
/// </summary>
public sealed class StandardImages(IGrainFactory grains, Caller admin, TextWriter log)
{
    public const string FolderId = "standard-images";

    /// <summary>The families and the images of each (name and virtual size).</summary>
    public static readonly IReadOnlyList<(string Family, string Name, long VirtualSize)> Images =
    [
        ("debian-12", "debian-12-v20261101", 2L << 30),
        ("debian-12", "debian-12-v20261120", 2L << 30),
        ("ubuntu-2404", "ubuntu-2404-v20261115", 3L << 30),
        ("ubuntu-2404", "ubuntu-2404-v20261125", 3L << 30),
    ];

    private static readonly AccessBinding Public = new(Roles.ImagesUser, Subject.AllAuthenticatedUsers);

    public async Task RunAsync()
    {
        await grains.GetGrain<IFolderDirectoryGrain>(0).EnsureStandardImagesAsync(admin);
        await using var files = await FileHost.StartAsync();
        var catalog = grains.GetGrain<IImageCatalogGrain>(0);
        var existing = (await catalog.ListAsync(admin, FolderId, new ListQuery(ListQuery.MaxPageSize))).Items.ToDictionary(i => i.Name ?? i.Id);
        foreach (var (family, name, virtualSize) in Images)
        {
            if (!existing.TryGetValue(name, out var image))
            {
                var operation = await catalog.CreateAsync(admin, new CreateImageRequest(FolderId, name, $"A small generated {family} image.",
                    Family: family, Uri: files.Serve(name, Qcow2(name, virtualSize))), idempotencyKey: $"seed-{name}");
                image = await WaitAsync(operation);
                log.WriteLine($"created {name} ({image.Id})");
            }
            var imageGrain = grains.GetGrain<IImageGrain>(image.Id);
            if (!(await imageGrain.ListAccessBindingsAsync(admin)).Contains(Public))
            {
                await imageGrain.UpdateAccessBindingsAsync(admin, [new AccessBindingDelta(AccessBindingAction.Add, Public)], null);
                log.WriteLine($"made {name} public");
            }
        }
        log.WriteLine($"{FolderId}: {Images.Count} public images in {Images.Select(i => i.Family).Distinct().Count()} families");
    }

    private async Task<Image> WaitAsync(Operation operation)
    {
        for (var i = 0; !operation.Done; i++)
        {
            await Task.Delay(100);
            operation = await grains.GetGrain<IOperationGrain>(operation.Id).GetAsync(admin);
            if (i > 600)
            {
                throw new TimeoutException($"Operation {operation.Id} did not finish in 60 s.");
            }
        }
        return operation.Response as Image ?? throw new InvalidOperationException($"Operation {operation.Id} failed: {operation.Error?.Message}");
    }

    /// <summary>A valid qcow2 header of the given virtual size; the name in the data makes each image's content its own.</summary>
    private static byte[] Qcow2(string name, long virtualSize)
    {
        var file = new byte[192 * 1024];
        new byte[] { 0x51, 0x46, 0x49, 0xFB }.CopyTo(file, 0);
        BinaryPrimitives.WriteUInt32BigEndian(file.AsSpan(4), 3);
        BinaryPrimitives.WriteUInt32BigEndian(file.AsSpan(20), 16);
        BinaryPrimitives.WriteInt64BigEndian(file.AsSpan(24), virtualSize);
        System.Text.Encoding.ASCII.GetBytes(name).CopyTo(file, 4096);
        return file;
    }

    /// <summary>Serves the generated files on loopback, where the silos of a development cluster may import from.</summary>
    private sealed class FileHost(WebApplication app, Dictionary<string, byte[]> files) : IAsyncDisposable
    {
        public static async Task<FileHost> StartAsync()
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            builder.Logging.ClearProviders();
            var app = builder.Build();
            var files = new Dictionary<string, byte[]>();
            app.Run(async context =>
            {
                if (files.TryGetValue(context.Request.Path.Value!.TrimStart('/'), out var bytes))
                {
                    context.Response.ContentLength = bytes.Length;
                    await context.Response.Body.WriteAsync(bytes);
                }
                else
                {
                    context.Response.StatusCode = 404;
                }
            });
            await app.StartAsync();
            return new FileHost(app, files);
        }

        public string Serve(string name, byte[] content)
        {
            files[name + ".qcow2"] = content;
            return app.Urls.First().TrimEnd('/') + "/" + name + ".qcow2";
        }

        public ValueTask DisposeAsync() => app.DisposeAsync();
    }
}
