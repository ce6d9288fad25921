using Orleans.Concurrency;
using Stratum.Access;
using Stratum.Changes;
using Stratum.Families;
using Stratum.Index;
using Stratum.Operations;

namespace Stratum.Images;

/// <summary>
/// The front door for image creation and folder-wide image reads. Stateless, so each silo runs
/// it locally; the rules live in the grains it calls and in the authorizer.
/// </summary>
// Reentrant: it keeps no state, so calls interleave freely instead of queueing behind one another.
[StatelessWorker, Reentrant]
public sealed class ImageCatalogGrain(Authorizer authorizer, ResourceIndex index, LatestCache cache, IGrainFactory grains) : Grain, IImageCatalogGrain
{
    /// <summary>How many ACTIVE members latestByFamily looks past when newer ones are unreadable.</summary>
    private const int LatestCandidates = 16;

    /// <summary>How many pages of shared images a stranger's families list reads at most.</summary>
    private const int SharedFamilyPages = 10;

    Task<Operation> IImageCatalogGrain.CreateAsync(Caller caller, CreateImageRequest request, string? idempotencyKey)
    {
        ImageRequestRules.Validate(request);
        return Idempotency.RunAsync(grains, caller, idempotencyKey, "images.create", request, ResourceIds.New(ResourceIds.Image),
            (opId, imageId) => grains.GetGrain<IImageInternalGrain>(imageId).CreateAsync(caller, request, opId));
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
    async Task<Page<Image>> IImageCatalogGrain.ListAsync(Caller caller, string folderId, ListQuery query)
    {
        if ((await authorizer.OnImageAsync(caller, folderId, [])).HasFlag(Permission.Read))
        {
            return await index.QueryImagesAsync(folderId, query);
        }
        var page = await index.QueryImagesAsync(folderId, query, caller.Subject);
        if (query.PageToken is null && page.Items.Count == 0 && page.NextPageToken is null)
        {
            throw StratumException.NotFound("folder", folderId);
        }
        return page;
    }

    /// <summary>
    /// The newest READY, ACTIVE member the caller may read: a stranger sees only what is shared with
    /// them. Answered from this silo's cache while the change feed keeps it fresh, unless the
    /// caller asks to skip it (it just changed an image: read-your-writes).
    /// </summary>
    Task<Image> IImageCatalogGrain.GetLatestByFamilyAsync(Caller caller, string folderId, string family)
    {
        Validation.Rules.Family(family);
        return cache.GetLatestAsync(caller, folderId, family, RequestContext.Get(LatestCache.BypassKey) is true,
            () => ResolveLatestAsync(caller, folderId, family));
    }

    /// <summary>
    /// The family's latest changes after a revision, each as the caller sees it (a change to an image
    /// the caller may not read is left out), or just the current latest when they are not all known.
    /// </summary>
    async Task<FamilyChanges> IImageCatalogGrain.WatchFamilyAsync(Caller caller, string folderId, string family, long? afterRevision)
    {
        Validation.Rules.Family(family);
        var history = await grains.GetGrain<IFamilyGrain>(IFamilyGrain.Key(folderId, family)).GetHistoryAsync(afterRevision);
        var mayReadFolder = (await authorizer.OnImageAsync(caller, folderId, [])).HasFlag(Permission.Read);
        if (history.Changes is null)
        {
            var latest = await TryResolveLatestAsync(caller, folderId, family);
            return latest is null && !mayReadFolder
                ? throw StratumException.NotFound("family", $"{folderId}/{family}")
                : new FamilyChanges(history.Revision, [new FamilyChange(history.Revision, latest)], Complete: false);
        }
        if (!mayReadFolder && await TryResolveLatestAsync(caller, folderId, family) is null)
        {
            throw StratumException.NotFound("family", $"{folderId}/{family}");
        }
        var changes = new List<FamilyChange>();
        foreach (var change in history.Changes)
        {
            if (change.ImageId is null)
            {
                changes.Add(new FamilyChange(change.Revision, null));
            }
            else if (await grains.GetGrain<IImageInternalGrain>(change.ImageId).TryGetAsync(caller) is { } image)
            {
                changes.Add(new FamilyChange(change.Revision, image));
            }
        }
        return new FamilyChanges(history.Revision, changes, Complete: true);
    }

    private async Task<Image> ResolveLatestAsync(Caller caller, string folderId, string family) =>
        await TryResolveLatestAsync(caller, folderId, family)
            ?? throw new StratumException(ErrorCode.NotFound, $"Family '{family}' in folder '{folderId}' has no READY, ACTIVE image.");

    private async Task<Image?> TryResolveLatestAsync(Caller caller, string folderId, string family)
    {
        var candidates = await grains.GetGrain<IFamilyGrain>(IFamilyGrain.Key(folderId, family)).GetActiveAsync(LatestCandidates);
        foreach (var imageId in candidates)
        {
            if (await grains.GetGrain<IImageInternalGrain>(imageId).TryGetAsync(caller) is { Status: ImageStatus.Ready } image)
            {
                return image;
            }
        }
        return null;
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
        var families = shared.GroupBy(i => i.Family!).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => new FamilySummary(g.Key, folderId,
            g.Where(i => i is { Status: ImageStatus.Ready, Deprecation.State: DeprecationState.Active }).MaxBy(i => i.FamilySequence)?.Id, g.Count())).ToList();
        return families.Count == 0 ? throw StratumException.NotFound("folder", folderId) : new Page<FamilySummary>(families, null);
    }
}
