
namespace Stratum.Seed;

/// <summary>
/// Seeds the folder <c>standard-images</c> with two public families of small generated images,
/// through the Orleans client as a platform admin. Idempotent: what exists is kept, what is missing
/// is made, and every image ends up public (compute.images.user for allAuthenticatedUsers).
/// </summary>
public sealed class StandardImages(IGrainFactory grains, Caller admin, TextWriter log)
{
    public const string FolderId = WellKnownFolders.StandardImages;

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
        await using var files = new Tools.LoopbackFiles();
        var catalog = grains.GetGrain<IImageCatalogGrain>(0);
        var existing = (await catalog.ListAsync(admin, FolderId, new ListQuery(ListQuery.MaxPageSize))).Items.ToDictionary(i => i.Name ?? i.Id);
        foreach (var (family, name, virtualSize) in Images)
        {
            if (!existing.TryGetValue(name, out var image))
            {
                var operation = await catalog.CreateAsync(admin, new CreateImageRequest(FolderId, name, $"A small generated {family} image.",
                    Family: family, Uri: await files.ServeAsync(Tools.LoopbackFiles.Qcow2(virtualSize, name))), idempotencyKey: $"seed-{name}");
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
}
