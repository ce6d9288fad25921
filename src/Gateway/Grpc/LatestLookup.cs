using Stratum.Changes;

namespace Stratum.Gateway.Grpc;

/// <summary>
/// A family's latest as REST's latestByFamily resolves it: this gateway's cache (per caller and
/// cohort bucket, kept fresh by the change feed), skipped by a caller who just wrote, else the catalog.
/// </summary>
public sealed class LatestLookup(IGrainFactory grains, LatestCache cache, WriteTracker writes)
{
    /// <summary>The newest image of the family for the caller's cohort: <paramref name="cohortKey"/>'s, or the caller's subject's when it is null.</summary>
    public Task<Image> GetAsync(Caller caller, string folderId, string family, string? cohortKey)
    {
        var bucket = Cohorts.Bucket(folderId, family, caller, cohortKey);
        return cache.GetLatestAsync(caller, folderId, family, bucket, writes.WroteRecently(caller.Subject),
            () => grains.Cached<IImageCatalogGrain>(0).GetLatestByFamilyAsync(caller, folderId, family, cohortKey));
    }
}
