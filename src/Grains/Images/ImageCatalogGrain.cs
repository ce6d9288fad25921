using Orleans.Concurrency;
using Stratum.Access;
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
public sealed class ImageCatalogGrain(Authorizer authorizer, ResourceIndex index, IGrainFactory grains) : Grain, IImageCatalogGrain
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

    /// <summary>The newest READY, ACTIVE member the caller may read: a stranger sees only what is shared with them.</summary>
    async Task<Image> IImageCatalogGrain.GetLatestByFamilyAsync(Caller caller, string folderId, string family)
    {
        Validation.Rules.Family(family);
        var candidates = await grains.GetGrain<IFamilyGrain>(IFamilyGrain.Key(folderId, family)).GetActiveAsync(LatestCandidates);
        foreach (var imageId in candidates)
        {
            if (await grains.GetGrain<IImageInternalGrain>(imageId).TryGetAsync(caller) is { Status: ImageStatus.Ready } image)
            {
                return image;
            }
        }
        throw new StratumException(ErrorCode.NotFound, $"Family '{family}' in folder '{folderId}' has no READY, ACTIVE image.");
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
