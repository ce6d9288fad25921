using Stratum.Families;
using Stratum.Images;

namespace Stratum.Releases;

/// <summary>
/// Resolves a family for cohort buckets: for each, the newest READY, ACTIVE member whose rollout
/// covers the bucket and that the caller may read. The one place latestByFamily, the family watch
/// and the server-side family resolution of disks, instances and bulk creates decide it.
/// </summary>
public sealed class FamilyResolver(IGrainFactory grains)
{
    /// <summary>How many covering members are looked past when newer ones are unreadable to the caller.</summary>
    public const int Candidates = 16;

    public async Task<IReadOnlyList<Image?>> ResolveAsync(Caller caller, string folderId, string family, IReadOnlyList<int> buckets)
    {
        var candidates = await grains.Cached<IFamilyGrain>(IFamilyGrain.Key(folderId, family)).GetCandidatesAsync(buckets, Candidates);
        // Buckets share most candidates: each image is read once for all of them.
        var reads = new Dictionary<string, Task<Image?>>(StringComparer.Ordinal);
        var resolved = new Image?[buckets.Count];
        for (var i = 0; i < buckets.Count; i++)
        {
            foreach (var imageId in candidates[i])
            {
                if (!reads.TryGetValue(imageId, out var read))
                {
                    reads[imageId] = read = grains.Cached<IImageInternalGrain>(imageId).TryGetAsync(caller);
                }
                if (await read is { Status: ImageStatus.Ready } image)
                {
                    resolved[i] = image;
                    break;
                }
            }
        }
        return resolved;
    }

    public async Task<Image?> ResolveAsync(Caller caller, string folderId, string family, int bucket) =>
        (await ResolveAsync(caller, folderId, family, [bucket]))[0];
}
