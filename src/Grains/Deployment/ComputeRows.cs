using System.Text.Json;
using System.Text.Json.Serialization;
using Azure.Data.Tables;
using Microsoft.Extensions.Options;
using Stratum.Index;
using Stratum.Storage;

namespace Stratum.Deployment;

/// <summary>
/// The table of disks, snapshots, instances, their operations, idempotency claims and the shard
/// counters. Every row is small; each kind of resource is a row, not a grain.
/// </summary>
public sealed class ComputeRows
{
    public const string DiskKind = "disk", InstanceKind = "instance", SnapshotKind = "snapshot", OperationKind = "operation";

    // Absent fields are not written: a null reads back as absent, and a VM's rows (disk, instance,
    // claim) were ~320 bytes of "Field":null out of ~2,600, paid in storage and in every read.
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.General) { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };
    private readonly Lazy<Task> _created;

    public ComputeRows(StorageClients clients, IOptions<DeploymentOptions> options)
    {
        Table = clients.Tables.GetTableClient(options.Value.Table);
        _created = new Lazy<Task>(() => Table.CreateIfNotExistsAsync());
    }

    public TableClient Table { get; }

    public Task ReadyAsync() => _created.Value;

    public async Task<TableEntity?> GetAsync(string id) => await GetAsync(Placement.PartitionKey(Placement.PartitionOf(id)), id);

    public async Task<TableEntity?> GetAsync(string partitionKey, string rowKey)
    {
        await ReadyAsync();
        var row = await Table.GetEntityIfExistsAsync<TableEntity>(partitionKey, rowKey);
        return row.HasValue ? row.Value : null;
    }

    /// <summary>
    /// Idempotency claim rows (<c>idem|{hash}</c>) last written before <paramref name="before"/>. Claims
    /// share their partitions with the rows they commit with, so each partition is read as a key range
    /// (a few at a time) and no other row is read. A claim is written once, so its timestamp is its
    /// claim's time.
    /// </summary>
    public async IAsyncEnumerable<TableEntity> ClaimsBeforeAsync(DateTimeOffset before)
    {
        await ReadyAsync();
        foreach (var chunk in Enumerable.Range(0, Placement.Partitions).Chunk(16))
        {
            var found = await Task.WhenAll(chunk.Select(async partition =>
            {
                var filter = TableClient.CreateQueryFilter(
                    $"PartitionKey eq {Placement.PartitionKey(partition)} and RowKey ge {ShardRows.ClaimPrefix} and RowKey lt {ShardRows.ClaimPrefixEnd} and Timestamp lt {before}");
                var claims = new List<TableEntity>();
                await foreach (var row in Table.QueryAsync<TableEntity>(filter, select: ["PartitionKey", "RowKey", "Timestamp"]))
                {
                    claims.Add(row);
                }
                return claims;
            }));
            foreach (var claim in found.SelectMany(c => c))
            {
                yield return claim;
            }
        }
    }

    // Instances filter on their own statuses; disks and snapshots on disk statuses.
    private static readonly IReadOnlyList<FilterExpression.Field> InstanceFields =
        [new("id", "RowKey"), new("name", "Name"), FilterExpression.Field.Of<InstanceStatus>("status", "Status")];
    private static readonly IReadOnlyList<FilterExpression.Field> DiskFields =
        [new("id", "RowKey"), new("name", "Name"), FilterExpression.Field.Of<DiskStatus>("status", "Status")];

    /// <summary>A page of one kind of a folder's resources, merged by id across the folder's shard partitions.</summary>
    public async Task<Page<T>> ListAsync<T>(string folderId, int shards, string kind, ListQuery query, Func<TableEntity, T> map)
    {
        await ReadyAsync();
        var pageSize = PageToken.Size(query.PageSize);
        if (!(string.IsNullOrWhiteSpace(query.OrderBy) || query.OrderBy.Trim() is "id" or "id asc"))
        {
            throw StratumException.Invalid("This list is ordered by id only (orderBy 'id asc').");
        }
        var filter = FilterExpression.ToOData(query.Filter, kind == InstanceKind ? InstanceFields : DiskFields);
        var scope = PageToken.Scope(kind, folderId, query.Filter ?? "");
        var after = PageToken.Decode(query.PageToken, scope) ?? "";
        var partitions = Enumerable.Range(0, shards).Select(k => Placement.Home(folderId, k)).Distinct();
        var pages = await Task.WhenAll(partitions.Select(async p =>
        {
            var odata = $"PartitionKey eq '{Placement.PartitionKey(p)}' and RowKey gt '{after}' and FolderId eq '{folderId}' and Kind eq '{kind}'"
                + (filter is null ? "" : $" and {filter}");
            var rows = new List<TableEntity>();
            await foreach (var row in Table.QueryAsync<TableEntity>(odata, pageSize))
            {
                rows.Add(row);
                if (rows.Count > pageSize)
                {
                    break;
                }
            }
            return rows;
        }));
        var merged = pages.SelectMany(p => p).OrderBy(r => r.RowKey, StringComparer.Ordinal).ToList();
        var page = merged.Take(pageSize).ToList();
        var next = merged.Count > pageSize ? PageToken.Encode(scope, page[^1].RowKey) : null;
        return new Page<T>(page.Select(map).ToList(), next);
    }

    // ---- mapping

    public static TableEntity Row(string folderId, string kind, string id, string? name, string status, object resource) =>
        new(Placement.PartitionKey(Placement.PartitionOf(id)), id)
        {
            ["FolderId"] = folderId,
            ["Kind"] = kind,
            ["Name"] = name ?? "",
            ["Status"] = status,
            ["Data"] = JsonSerializer.Serialize(resource, resource.GetType(), Json),
        };

    public static T Read<T>(TableEntity row) => JsonSerializer.Deserialize<T>(row.GetString("Data"), Json)!;

    public static TableEntity OperationRow(Operation operation, string folderId)
    {
        var row = Row(folderId, OperationKind, operation.Id, null, operation.Done ? "DONE" : "RUNNING", operation with { Response = null });
        if (operation.Response is { } response)
        {
            row["ResponseType"] = response.GetType().Name;
            row["Response"] = JsonSerializer.Serialize(response, response.GetType(), Json);
        }
        return row;
    }

    public static Operation ReadOperation(TableEntity row)
    {
        var operation = Read<Operation>(row);
        var response = row.GetString("ResponseType") switch
        {
            nameof(Disk) => (object?)JsonSerializer.Deserialize<Disk>(row.GetString("Response"), Json),
            nameof(Instance) => JsonSerializer.Deserialize<Instance>(row.GetString("Response"), Json),
            nameof(Snapshot) => JsonSerializer.Deserialize<Snapshot>(row.GetString("Response"), Json),
            nameof(EmptyResponse) => EmptyResponse.Instance,
            _ => null,
        };
        return operation with { Response = response, Metadata = operation.Metadata ?? new Dictionary<string, string>() };
    }

    /// <summary>The operation that created a resource, told by the resource's own row.</summary>
    public static Operation OperationFromResourceRow(TableEntity row)
    {
        (CommandKind Kind, string Key, object Resource, DateTimeOffset CreatedAt, string? SourceDiskId) made = row.GetString("Kind") switch
        {
            // A disk made on its own had no instance then: the one attached since is not part of its creation.
            DiskKind => Made(CommandKind.CreateDisk, "diskId", Read<Disk>(row) with { InstanceId = null }, d => d.CreatedAt),
            InstanceKind => Made(CommandKind.CreateInstance, "instanceId", Read<Instance>(row), i => i.CreatedAt),
            _ => Made(CommandKind.CreateSnapshot, "snapshotId", Read<Snapshot>(row), s => s.CreatedAt, s => s.SourceDiskId),
        };
        var (kind, key, resource, createdAt, sourceDiskId) = made;
        return new Operation(Placement.OperationIdOf(row.RowKey), row.GetString("OpDescription") ?? "", createdAt, row.GetString("OpCreatedBy") ?? "",
            createdAt, true, ShardRows.Metadata(kind, row.GetString("FolderId"), key, row.RowKey, sourceDiskId), Response: resource);
    }

    private static (CommandKind, string, object, DateTimeOffset, string?) Made<T>(CommandKind kind, string key, T resource,
        Func<T, DateTimeOffset> createdAt, Func<T, string?>? sourceDiskId = null) where T : notnull =>
        (kind, key, resource, createdAt(resource), sourceDiskId?.Invoke(resource));

    /// <summary>The finished operation a key's claim names (held by claims of earlier versions, else found by its id); null while it runs.</summary>
    public async Task<Operation?> ClaimedOperationAsync(TableEntity claim) =>
        ShardRows.OperationHeldBy(claim) ?? (await FindOperationAsync(claim.GetString("OperationId")))?.Operation;

    /// <summary>An operation: its own row (deletes), or the row of the resource a create made.</summary>
    public async Task<(Operation Operation, string FolderId)?> FindOperationAsync(string operationId)
    {
        if (await GetAsync(operationId) is { } own && own.GetString("Kind") == OperationKind)
        {
            return (ReadOperation(own), own.GetString("FolderId"));
        }
        var partition = Placement.PartitionKey(Placement.PartitionOf(operationId));
        var keys = string.Join(" or ", Placement.ResourcesOf(operationId).Select(id => $"RowKey eq '{id}'"));
        await foreach (var row in Table.QueryAsync<TableEntity>($"PartitionKey eq '{partition}' and ({keys})"))
        {
            if (row.GetString("OpDescription") is not null)
            {
                return (OperationFromResourceRow(row), row.GetString("FolderId"));
            }
        }
        return null;
    }
}
