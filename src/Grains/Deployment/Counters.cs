using Azure;
using Azure.Data.Tables;

namespace Stratum.Deployment;

/// <summary>
/// A shard's committed counts, kept in one row of its home partition and updated in the same
/// transaction as the rows they count (with the row's ETag, so two activations of a shard during
/// a failover cannot both update it): quota usage and references per base layer.
/// </summary>
internal sealed class Counters
{
    private const string LayerPrefix = "L_";

    private static readonly IReadOnlyList<string> QuotaNames =
    [
        Stratum.QuotaNames.DisksCount, Stratum.QuotaNames.DisksSize, Stratum.QuotaNames.InstancesCount,
        Stratum.QuotaNames.SnapshotsCount, Stratum.QuotaNames.SnapshotsSize,
    ];

    private Counters(string partitionKey, string rowKey, ETag? etag, Dictionary<string, long> quota, Dictionary<string, long> layers)
    {
        PartitionKey = partitionKey;
        RowKey = rowKey;
        ETag = etag;
        Quota = quota;
        Layers = layers;
    }

    public string PartitionKey { get; }
    public string RowKey { get; }
    public ETag? ETag { get; private set; }
    public Dictionary<string, long> Quota { get; }
    public Dictionary<string, long> Layers { get; }

    public static async Task<Counters> LoadAsync(ComputeRows rows, int home, string folderId, int shard)
    {
        var partitionKey = Placement.PartitionKey(home);
        var rowKey = $"usage|{folderId}|{shard}";
        var row = await rows.GetAsync(partitionKey, rowKey);
        var quota = QuotaNames.ToDictionary(n => n, n => row?.GetInt64(Column(n)) ?? 0);
        var layers = row?.Keys.Where(k => k.StartsWith(LayerPrefix, StringComparison.Ordinal))
            .ToDictionary(k => k[LayerPrefix.Length..], k => row.GetInt64(k) ?? 0) ?? [];
        return new Counters(partitionKey, rowKey, row?.ETag, quota, layers);
    }

    public Dictionary<string, long> QuotaSnapshot() => new(Quota);

    public Counters Copy() => new(PartitionKey, RowKey, ETag, new(Quota), new(Layers));

    public void Apply(Delta delta)
    {
        foreach (var (name, amount) in delta.Quota)
        {
            Quota[name] = Quota.GetValueOrDefault(name) + amount;
        }
        foreach (var (layer, amount) in delta.Layers)
        {
            Layers[layer] = Layers.GetValueOrDefault(layer) + amount;
        }
    }

    public TableTransactionAction Action()
    {
        var entity = new TableEntity(PartitionKey, RowKey);
        foreach (var (name, value) in Quota)
        {
            entity[Column(name)] = value;
        }
        foreach (var (layer, value) in Layers.Where(l => l.Value != 0))
        {
            entity[LayerPrefix + layer] = value;
        }
        return ETag is { } etag
            ? new TableTransactionAction(TableTransactionActionType.UpdateReplace, entity, etag)
            : new TableTransactionAction(TableTransactionActionType.Add, entity);
    }

    public void Committed(ETag etag) => ETag = etag;

    private static string Column(string quotaName) => "Q_" + quotaName.Replace("compute.", "", StringComparison.Ordinal).Replace('.', '_');
}

/// <summary>What one command changes in the counters.</summary>
internal sealed class Delta
{
    public Dictionary<string, long> Quota { get; } = [];
    public Dictionary<string, long> Layers { get; } = [];

    public Delta Add(string quota, long amount)
    {
        Quota[quota] = Quota.GetValueOrDefault(quota) + amount;
        return this;
    }

    public Delta Layer(string? layerId, long amount)
    {
        if (layerId is not null)
        {
            Layers[layerId] = Layers.GetValueOrDefault(layerId) + amount;
        }
        return this;
    }

    public static Delta ForDisk(Disk disk, long sign) =>
        new Delta().Add(QuotaNames.DisksCount, sign).Add(QuotaNames.DisksSize, sign * disk.Size).Layer(disk.LayerId, sign);

    public static Delta ForSnapshot(Snapshot snapshot, long sign) =>
        new Delta().Add(QuotaNames.SnapshotsCount, sign).Add(QuotaNames.SnapshotsSize, sign * snapshot.StorageSize).Layer(snapshot.LayerId, sign);

    public Delta Plus(Delta other)
    {
        foreach (var (name, amount) in other.Quota)
        {
            Add(name, amount);
        }
        foreach (var (layer, amount) in other.Layers)
        {
            Layer(layer, amount);
        }
        return this;
    }
}
