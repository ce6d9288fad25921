using System.Runtime.CompilerServices;
using System.Text.Json;
using Stratum.Changes;
using Stratum.Gateway.Auth;
using Stratum.Gateway.Http;

namespace Stratum.Gateway.Endpoints;

/// <summary>
/// latestByFamily over REST, the hottest read. Served from this gateway's cache (per caller and
/// cohort bucket) while the change feed keeps it fresh; a caller who just changed an image goes to
/// the grains (and past their caches) to read its write. A cache hit allocates nothing here: no
/// closure for the fetch it does not make, no cohort key text, no request context (the token is put
/// in force only around the fetch), and the answer's JSON written once per cached image.
/// </summary>
internal sealed class LatestByFamilyReads(IGrainFactory grains, LatestCache cache, WriteTracker writes)
{
    // A cached image is the same object on every hit, so its JSON body is made once.
    private static readonly ConditionalWeakTable<Image, SerializedJson<Image>> Bodies = new();

    public ValueTask<SerializedJson<Image>> ReadAsync(HttpContext http, string folderId, string family, string? cohortKey)
    {
        var caller = http.Caller();
        var answer = cache.GetLatestAsync(caller, folderId, family, Cohorts.Bucket(folderId, family, caller, cohortKey), writes.WroteRecently(caller.Subject),
            new Fetch(grains, caller, http.Token(), folderId, family, cohortKey), static fetch => fetch.RunAsync());
        return answer.IsCompletedSuccessfully ? ValueTask.FromResult(Body(answer.Result)) : AwaitAsync(answer);
    }

    /// <summary>
    /// The body of the answer <see cref="ReadAsync"/> would serve from the cache; null when it would
    /// go to the grains (nothing kept, a kept 404, a stale cache, the caller's own recent write). A
    /// cohortKey longer than the limit is refused (<see cref="StratumException"/>), as by <see cref="ReadAsync"/>.
    /// </summary>
    public SerializedJson<Image>? TryKept(Caller caller, string folderId, string family, string? cohortKey) =>
        !writes.WroteRecently(caller.Subject) && cache.TryGetKept(caller, folderId, family, Cohorts.Bucket(folderId, family, caller, cohortKey)) is { } image
            ? Body(image)
            : null;

    private static async ValueTask<SerializedJson<Image>> AwaitAsync(Task<Image> answer) => Body(await answer);

    private static SerializedJson<Image> Body(Image image) =>
        Bodies.GetValue(image, static i => new SerializedJson<Image>(JsonSerializer.SerializeToUtf8Bytes(i, ContractJson.Options)));

    private readonly record struct Fetch(IGrainFactory Grains, Caller Caller, string Token, string FolderId, string Family, string? CohortKey)
    {
        public async Task<Image> RunAsync()
        {
            // The endpoint CarriesTokenItself: the silos verify the token this call carries.
            using (BearerToken.Use(Token))
            {
                return await ImageEndpoints.Catalog(Grains).GetLatestByFamilyAsync(Caller, FolderId, Family, CohortKey);
            }
        }
    }
}
