using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace Stratum.LoadTest;

/// <summary>What must hold after a run, however it went.</summary>
public sealed record InvariantReport(bool InstancesExact, bool RefCountExact, bool QuotaExact, IReadOnlyList<string> Violations)
{
    public bool AllHold => InstancesExact && RefCountExact && QuotaExact;
}

/// <summary>
/// What a folder held when the run began: the instances and disks (by id) the run did not make, and
/// each layer's references held outside the folder.
/// </summary>
public sealed record FolderBefore(IReadOnlySet<string> ExistingIds, IReadOnlyDictionary<string, long> HeldElsewhere)
{
    public static FolderBefore Empty { get; } = new(new HashSet<string>(), new Dictionary<string, long>());
}

/// <summary>
/// Checks a folder after a run: the instances and disks the run added are exactly those acknowledged,
/// every base layer's reference count equals its holders (the folder's, and those elsewhere before
/// the run), and quota usage equals what exists.
/// </summary>
public static class Invariants
{
    public static async Task<InvariantReport> CheckAsync(HttpClient admin, string folderId, int acknowledged, IReadOnlyCollection<string>? acknowledgedIds,
        FolderBefore before)
    {
        var instances = await ListAsync(admin, $"/compute/v1/instances?folderId={folderId}", "instances");
        var disks = await ListAsync(admin, $"/compute/v1/disks?folderId={folderId}", "disks");
        var images = await ListAsync(admin, $"/compute/v1/images?folderId={folderId}", "images");
        var quotas = (await admin.GetFromJsonAsync<JsonNode>($"/compute/v1/folders/{folderId}/quotas"))!["quotas"]!.AsArray();
        var layers = InFolder(await LayerCountsAsync(admin, disks.Concat(images)), before.HeldElsewhere);
        return Evaluate(instances, disks, images, quotas.Select(q => q!).ToList(), layers, acknowledged, acknowledgedIds, before.ExistingIds);
    }

    /// <summary>
    /// Read before a run: how many of each layer's references the folder's own disks and images do not
    /// account for. Identical content pooled in other folders is the same layer, and the run leaves
    /// their holders alone, so after it the layer must count the folder's holders plus these.
    /// </summary>
    /// <remarks>
    /// The instances and disks already there are read too: a run against an existing folder (a second
    /// run, or one beside VMs of its own) is judged on what it added, which is what it acknowledged.
    /// </remarks>
    public static async Task<FolderBefore> BeforeRunAsync(HttpClient admin, string folderId)
    {
        var instances = await ListAsync(admin, $"/compute/v1/instances?folderId={folderId}", "instances");
        var disks = await ListAsync(admin, $"/compute/v1/disks?folderId={folderId}", "disks");
        var holders = disks.Concat(await ListAsync(admin, $"/compute/v1/images?folderId={folderId}", "images")).ToList();
        return new FolderBefore(instances.Concat(disks).Select(r => Text(r["id"])).ToHashSet(), Elsewhere(await LayerCountsAsync(admin, holders), holders));
    }

    /// <summary>Each layer's count less its holders among <paramref name="holders"/>.</summary>
    public static IReadOnlyDictionary<string, long> Elsewhere(IReadOnlyDictionary<string, long> layerCounts, IEnumerable<JsonNode> holders)
    {
        var held = holders.Select(h => h["layerId"]?.GetValue<string>()).OfType<string>().CountBy(id => id).ToDictionary();
        return layerCounts.ToDictionary(l => l.Key, l => l.Value - held.GetValueOrDefault(l.Key));
    }

    /// <summary>Each layer's count as the folder's share: less the references held elsewhere before the run.</summary>
    public static IReadOnlyDictionary<string, long> InFolder(IReadOnlyDictionary<string, long> layerCounts, IReadOnlyDictionary<string, long> heldElsewhere) =>
        layerCounts.ToDictionary(l => l.Key, l => l.Value - heldElsewhere.GetValueOrDefault(l.Key));

    private static async Task<IReadOnlyDictionary<string, long>> LayerCountsAsync(HttpClient admin, IEnumerable<JsonNode> holders)
    {
        var layers = new Dictionary<string, long>();
        foreach (var layerId in holders.Select(h => h["layerId"]?.GetValue<string>()).OfType<string>().Distinct())
        {
            var layer = (await admin.GetFromJsonAsync<JsonNode>($"/compute/v1/layers/{layerId}"))!;
            layers[layerId] = long.Parse(layer["referenceCount"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture);
        }
        return layers;
    }

    /// <summary>
    /// The judgement itself, apart from fetching, so it can be tested on made-up listings. Existence is
    /// judged on the instances and disks not in <paramref name="existedBefore"/>; references and quota
    /// usage on everything in the folder, since both count it all.
    /// </summary>
    public static InvariantReport Evaluate(IReadOnlyList<JsonNode> instances, IReadOnlyList<JsonNode> disks, IReadOnlyList<JsonNode> images,
        IReadOnlyList<JsonNode> quotas, IReadOnlyDictionary<string, long> layerCounts, int acknowledged, IReadOnlyCollection<string>? acknowledgedIds,
        IReadOnlySet<string>? existedBefore = null)
    {
        var allDiskIds = disks.Select(d => Text(d["id"])).ToHashSet();
        var instanceIds = instances.Select(i => Text(i["id"])).Where(id => existedBefore?.Contains(id) != true).ToHashSet();
        var diskIds = allDiskIds.Where(id => existedBefore?.Contains(id) != true).ToHashSet();

        var existence = new List<string>();
        if (instanceIds.Count != acknowledged)
        {
            existence.Add($"the run added {instanceIds.Count} instances but {acknowledged} were acknowledged");
        }
        if (acknowledgedIds?.FirstOrDefault(id => !instanceIds.Contains(id)) is { } lost)
        {
            existence.Add($"acknowledged instance {lost} does not exist");
        }
        if (instances.Select(i => Text(i["bootDisk"]?["diskId"])).FirstOrDefault(d => !allDiskIds.Contains(d)) is { } missing)
        {
            existence.Add($"boot disk {missing} does not exist");
        }
        if (diskIds.Count != instanceIds.Count)
        {
            existence.Add($"the run added {diskIds.Count} disks for {instanceIds.Count} instances");
        }

        var references = new List<string>();
        foreach (var (layerId, count) in layerCounts)
        {
            var holders = disks.Count(d => d["layerId"]?.GetValue<string>() == layerId) + images.Count(i => i["layerId"]?.GetValue<string>() == layerId);
            if (holders != count)
            {
                references.Add($"layer {layerId} counts {count} references but {holders} disks and images hold it");
            }
        }

        var usage = new List<string>();
        long Usage(string name) => Number(quotas.Single(q => Text(q["name"]) == name)["usage"]);
        void Expect(string name, long actual)
        {
            if (Usage(name) != actual)
            {
                usage.Add($"{name} usage is {Usage(name)} but {actual} exist");
            }
        }
        Expect("compute.instances.count", instances.Count);
        Expect("compute.disks.count", allDiskIds.Count);
        Expect("compute.disks.size", disks.Sum(d => Number(d["size"])));

        return new InvariantReport(existence.Count == 0, references.Count == 0, usage.Count == 0, [.. existence, .. references, .. usage]);
    }

    /// <summary>
    /// After an images run: the images named with the run's prefix are exactly those acknowledged,
    /// each READY; every layer counts its holders; the folder's image quotas equal what exists.
    /// </summary>
    public static async Task<InvariantReport> CheckImagesAsync(HttpClient admin, string folderId, string namePrefix, IReadOnlyCollection<string> acknowledgedIds,
        IReadOnlyDictionary<string, long> heldElsewhere)
    {
        var images = await ListAsync(admin, $"/compute/v1/images?folderId={folderId}", "images");
        var disks = await ListAsync(admin, $"/compute/v1/disks?folderId={folderId}", "disks");
        var quotas = (await admin.GetFromJsonAsync<JsonNode>($"/compute/v1/folders/{folderId}/quotas"))!["quotas"]!.AsArray();
        var layers = InFolder(await LayerCountsAsync(admin, disks.Concat(images)), heldElsewhere);
        return EvaluateImages(images, disks, quotas.Select(q => q!).ToList(), layers, namePrefix, acknowledgedIds);
    }

    /// <summary>The images judgement, apart from fetching.</summary>
    public static InvariantReport EvaluateImages(IReadOnlyList<JsonNode> images, IReadOnlyList<JsonNode> disks, IReadOnlyList<JsonNode> quotas,
        IReadOnlyDictionary<string, long> layerCounts, string namePrefix, IReadOnlyCollection<string> acknowledgedIds)
    {
        var existence = new List<string>();
        var made = images.Where(i => i["name"]?.GetValue<string>()?.StartsWith(namePrefix, StringComparison.Ordinal) == true).ToList();
        var acknowledged = acknowledgedIds.ToHashSet();
        if (made.Count != acknowledged.Count)
        {
            existence.Add($"{made.Count} images of this run exist but {acknowledged.Count} were acknowledged");
        }
        if (acknowledged.FirstOrDefault(id => !made.Any(i => Text(i["id"]) == id)) is { } lost)
        {
            existence.Add($"acknowledged image {lost} does not exist");
        }
        if (made.FirstOrDefault(i => Text(i["status"]) != "READY") is { } unready)
        {
            existence.Add($"image {Text(unready["id"])} is {Text(unready["status"])}, not READY");
        }
        var references = layerCounts
            .Select(l => (Layer: l.Key, Count: l.Value, Holders: disks.Concat(images).Count(r => r["layerId"]?.GetValue<string>() == l.Key)))
            .Where(l => l.Holders != l.Count)
            .Select(l => $"layer {l.Layer} counts {l.Count} references but {l.Holders} disks and images hold it")
            .ToList();
        var usage = new List<string>();
        void Expect(string name, long actual)
        {
            var used = Number(quotas.Single(q => Text(q["name"]) == name)["usage"]);
            if (used != actual)
            {
                usage.Add($"{name} usage is {used} but {actual} exist");
            }
        }
        Expect("compute.images.count", images.Count);
        Expect("compute.images.size", images.Sum(i => Number(i["storageSize"])));
        return new InvariantReport(existence.Count == 0, references.Count == 0, usage.Count == 0, [.. existence, .. references, .. usage]);
    }

    private static string Text(JsonNode? node) => node?.GetValue<string>() ?? "";

    private static long Number(JsonNode? node) => long.Parse(Text(node), System.Globalization.CultureInfo.InvariantCulture);

    private static async Task<List<JsonNode>> ListAsync(HttpClient admin, string path, string plural)
    {
        var all = new List<JsonNode>();
        string? token = null;
        do
        {
            var page = (await admin.GetFromJsonAsync<JsonNode>(path + "&pageSize=1000" + (token is null ? "" : "&pageToken=" + Uri.EscapeDataString(token))))!;
            all.AddRange(page[plural]!.AsArray().Select(n => n!));
            token = page["nextPageToken"]?.GetValue<string>();
        }
        while (token is not null);
        return all;
    }
}
