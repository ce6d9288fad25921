using Stratum.Access;
using Stratum.Changes;
using Stratum.Families;
using Stratum.Index;
using Stratum.Operations;
using Stratum.Releases;

namespace Stratum.Images;

/// <summary>
/// The front door for image creation and folder-wide image reads. Stateless, so each silo runs
/// it locally; the rules live in the grains it calls and in the authorizer.
/// </summary>
// Reentrant: it keeps no state, so calls interleave freely instead of queueing behind one another.
[StatelessWorker, Reentrant]
public sealed class ImageCatalogGrain(Authorizer authorizer, ResourceIndex index, LatestCache cache, FamilyResolver resolver, IGrainFactory grains) : Grain, IImageCatalogGrain
{
    /// <summary>How many pages of shared images a stranger's families list reads at most.</summary>
    private const int SharedFamilyPages = 10;

    Task<Operation> IImageCatalogGrain.CreateAsync(Caller caller, CreateImageRequest request, string? idempotencyKey)
    {
        ImageRequestRules.Validate(request);
        var imageId = ResourceIds.New(ResourceIds.Image);
        return Idempotency.RunAsync(grains, caller, idempotencyKey, "images.create", request, imageId,
            (opId, claimedImageId) =>
            {
                var image = grains.GetGrain<IImageInternalGrain>(claimedImageId);
                // The id minted just now (not an earlier claim's) names no record yet: its activation need not read one.
                return claimedImageId == imageId
                    ? Storage.NewRecords.CallAsNewAsync(image.GetGrainId(), () => image.CreateAsync(caller, request, opId))
                    : image.CreateAsync(caller, request, opId);
            },
            ImageCreateOperations.IdFor(imageId));
    }

    Task<UploadTarget> IImageCatalogGrain.PrepareUploadAsync(Caller caller, PrepareUploadRequest request)
    {
        if (string.IsNullOrEmpty(request?.FolderId))
        {
            throw StratumException.Invalid("folderId is required.");
        }
        return grains.GetGrain<Uploads.IUploadGrain>(ResourceIds.New(ResourceIds.Upload)).PrepareAsync(caller, request);
    }

    /// <summary>
    /// All the folder's images for those who may read the folder; for anyone else only the images
    /// shared with them (public ones included). A folder that shows a caller nothing does not exist for them.
    /// </summary>
    Task<Page<Image>> IImageCatalogGrain.ListAsync(Caller caller, string folderId, ListQuery query) =>
        ((IImageCatalogGrain)this).ListAsync(caller, folderId, query, ImageView.Default);

    /// <summary>As the plain list, over the images of the view: the folder's, or its recycle bin's.</summary>
    async Task<Page<Image>> IImageCatalogGrain.ListAsync(Caller caller, string folderId, ListQuery query, ImageView view)
    {
        if (!Enum.IsDefined(view))
        {
            throw StratumException.Invalid("view must be DEFAULT or RECYCLE_BIN.");
        }
        if ((await authorizer.OnImageAsync(caller, folderId, [])).HasFlag(Permission.Read))
        {
            return await index.QueryImagesAsync(folderId, query, view: view);
        }
        var page = await index.QueryImagesAsync(folderId, query, caller.Subject, view);
        // A caller shown nothing of the folder is told it is not found, as if it did not exist; one shown something,
        // whose filter matches none of it, gets the empty page (it got 404 "folder not found" for standard-images).
        if (query.PageToken is null && page.Items.Count == 0 && page.NextPageToken is null
            && (string.IsNullOrWhiteSpace(query.Filter) || (await index.QueryImagesAsync(folderId, new ListQuery(1), caller.Subject, view)).Items.Count == 0))
        {
            throw StratumException.NotFound("folder", folderId);
        }
        return page;
    }

    Task<Image> IImageCatalogGrain.GetLatestByFamilyAsync(Caller caller, string folderId, string family) =>
        ((IImageCatalogGrain)this).GetLatestByFamilyAsync(caller, folderId, family, null);

    /// <summary>
    /// The newest READY, ACTIVE member the caller may read whose rollout covers the cohort: a
    /// stranger sees only what is shared with them. Answered from this silo's cache (per caller and
    /// cohort bucket) while the change feed keeps it fresh, unless the caller asks to skip it (it
    /// just changed an image: read-your-writes).
    /// </summary>
    Task<Image> IImageCatalogGrain.GetLatestByFamilyAsync(Caller caller, string folderId, string family, string? cohortKey)
    {
        var bucket = BucketOf(caller, folderId, family, cohortKey);
        return cache.GetLatestAsync(caller, folderId, family, bucket, RequestContext.Get(LatestCache.BypassKey) is true,
            () => ResolveLatestAsync(caller, folderId, family, bucket));
    }

    Task<FamilyChanges> IImageCatalogGrain.WatchFamilyAsync(Caller caller, string folderId, string family, long? afterRevision) =>
        ((IImageCatalogGrain)this).WatchFamilyAsync(caller, folderId, family, afterRevision, null);

    /// <summary>
    /// The changes of the cohort's latest after a revision, each as the caller sees it (a change to an
    /// image the caller may not read, and every change that moved only other cohorts, is left out),
    /// or just the current latest when they are not all known.
    /// </summary>
    async Task<FamilyChanges> IImageCatalogGrain.WatchFamilyAsync(Caller caller, string folderId, string family, long? afterRevision, string? cohortKey)
    {
        var bucket = BucketOf(caller, folderId, family, cohortKey);
        var history = await grains.Cached<IFamilyGrain>(IFamilyGrain.Key(folderId, family)).GetHistoryAsync(afterRevision);
        var mayReadFolder = (await authorizer.OnImageAsync(caller, folderId, [])).HasFlag(Permission.Read);
        if (history.Changes is null)
        {
            var latest = await resolver.ResolveAsync(caller, folderId, family, bucket);
            return latest is null && !mayReadFolder
                ? throw StratumException.NotFound("family", $"{folderId}/{family}")
                : new FamilyChanges(history.Revision, [new FamilyChange(history.Revision, latest)], Complete: false);
        }
        if (!mayReadFolder && await resolver.ResolveAsync(caller, folderId, family, bucket) is null)
        {
            throw StratumException.NotFound("family", $"{folderId}/{family}");
        }
        var changes = new List<FamilyChange>();
        // Without the baseline (it left the history) the first change is sent whatever it is.
        var known = history.Baseline is not null;
        var previous = history.Baseline?.LatestFor(bucket);
        foreach (var change in history.Changes)
        {
            var imageId = change.LatestFor(bucket);
            if (known && imageId == previous)
            {
                continue;
            }
            (known, previous) = (true, imageId);
            if (imageId is null)
            {
                changes.Add(new FamilyChange(change.Revision, null));
            }
            else if (await grains.Cached<IImageInternalGrain>(imageId).TryGetAsync(caller) is { Status: not ImageStatus.Deleted } image)
            {
                changes.Add(new FamilyChange(change.Revision, image));
            }
        }
        return new FamilyChanges(history.Revision, changes, Complete: true);
    }

    private static int BucketOf(Caller caller, string folderId, string family, string? cohortKey)
    {
        Validation.Rules.Family(family);
        return Cohorts.Bucket(folderId, family, caller, cohortKey);
    }

    private async Task<Image> ResolveLatestAsync(Caller caller, string folderId, string family, int bucket) =>
        await resolver.ResolveAsync(caller, folderId, family, bucket) ?? throw await NoLatestAsync(caller, folderId, family, bucket);

    /// <summary>
    /// Why a family has no latest for the caller, said only to a caller who may read the folder:
    /// anyone else gets one answer whether the family (or the folder) exists or not.
    /// </summary>
    private async Task<StratumException> NoLatestAsync(Caller caller, string folderId, string family, int bucket)
    {
        if (!(await authorizer.OnImageAsync(caller, folderId, [])).HasFlag(Permission.Read))
        {
            return new StratumException(ErrorCode.NotFound, $"No image of family '{family}' in folder '{folderId}' is READY, ACTIVE and readable by this caller. "
                + "Without read access to the folder only the images shared with the caller are seen, so this does not say whether the family exists.");
        }
        return await index.GetFamilyAsync(folderId, family) is { } existing
            ? new StratumException(ErrorCode.NotFound, $"Family '{family}' in folder '{folderId}' has {existing.ImageCount} image(s), but none is READY "
                + $"and ACTIVE with a rollout that covers this cohort (bucket {bucket} of 0-99).")
            : new StratumException(ErrorCode.NotFound, $"Folder '{folderId}' has no family '{family}' (a family exists from the time one of its images is READY until its last image is deleted).");
    }

    /// <summary>
    /// The folder's families; a caller who may not read the folder sees the families of the images
    /// shared with them, counted and resolved over those images only.
    /// </summary>
    async Task<Page<FamilySummary>> IImageCatalogGrain.ListFamiliesAsync(Caller caller, string folderId, ListQuery query)
    {
        if ((await authorizer.OnImageAsync(caller, folderId, [])).HasFlag(Permission.Read))
        {
            return await index.QueryFamiliesAsync(folderId, query);
        }
        // A query the list refuses is refused before the shared images are read, up to SharedFamilyPages pages of them.
        Index.ResourceIndex.RequireFamiliesQuery(query);
        var shared = new List<Image>();
        string? token = null;
        for (var page = 0; page < SharedFamilyPages; page++)
        {
            var images = await index.QueryImagesAsync(folderId, new ListQuery(ListQuery.MaxPageSize, token), caller.Subject);
            shared.AddRange(images.Items.Where(i => i.Family is not null));
            if ((token = images.NextPageToken) is null)
            {
                break;
            }
        }
        var families = shared.GroupBy(i => i.Family!).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => Summary(g.Key, folderId, g.ToList())).ToList();
        return families.Count == 0 ? throw StratumException.NotFound("folder", folderId) : Index.ResourceIndex.PageOf(folderId, families, query);
    }

    /// <summary>A family over the given members: its 100 % latest, and the newer members still rolling out.</summary>
    private static FamilySummary Summary(string family, string folderId, IReadOnlyList<Image> members)
    {
        var active = members.Where(i => i is { Status: ImageStatus.Ready, Deprecation.State: DeprecationState.Active }).OrderByDescending(i => i.FamilySequence).ToList();
        var full = active.FirstOrDefault(i => Rollout.PercentOf(i) >= 100);
        var rollouts = active.TakeWhile(i => i != full).Select(i => new FamilyRollout(i.Id, Rollout.PercentOf(i))).ToList();
        return new FamilySummary(family, folderId, full?.Id, members.Count, rollouts);
    }
}
