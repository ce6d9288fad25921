using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Options;
using Stratum.Storage;

namespace Stratum.Index;

/// <summary>
/// The projections behind the lists and the per-folder name reservations, in one Azure table.
/// Each row is one small entity keyed by folder, so no record grows with a folder's size and a
/// page of any list is a range read. Grains write it after their own state (every write is an
/// idempotent upsert or delete, repeated when a grain re-runs unfinished work), so a list shows
/// every change that was acknowledged.
/// </summary>
public sealed partial class ResourceIndex
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.General);

    private readonly TableClient _table;
    private readonly Lazy<Task> _created;

    public ResourceIndex(StorageClients clients, IOptions<StratumStorageOptions> options)
    {
        _table = clients.Tables.GetTableClient(options.Value.IndexTable);
        _created = new Lazy<Task>(() => _table.CreateIfNotExistsAsync());
    }

    // ---- name reservations: one row per (folder, kind, name); the insert is the uniqueness check

    /// <summary>How old a reservation must be before a missing owner means a crash left it behind.</summary>
    public static readonly TimeSpan AbandonedAfter = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Reserves a name for its owner; 409 when another owner holds it. With <paramref name="ownerExists"/>,
    /// a reservation whose owner never came to be (a crash between reserving and committing) is taken over:
    /// by the same keyed request at once (<paramref name="claimHash"/>, the key's claim hash, is stored with
    /// the name), by anyone once it is old enough that its request cannot still be in flight.
    /// </summary>
    public async Task ReserveNameAsync(string folderId, string kind, string name, string ownerId, Func<string, Task<bool>>? ownerExists = null, string? claimHash = null)
    {
        await _created.Value;
        var entity = NameRow(folderId, kind, name, ownerId, claimHash);
        // The name's row may change between the insert that failed and the read, or the read and a takeover: its
        // holder gave it back (a create refused for quota), or took it over itself (the same key sent twice at
        // once). Either was answered wrongly: 409 for a name no one held, 503 for the takeover's failed ETag.
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await _table.AddEntityAsync(entity);
                return;
            }
            catch (RequestFailedException e) when (e.Status == 409)
            {
            }
            var holder = await _table.GetEntityIfExistsAsync<TableEntity>(entity.PartitionKey, name);
            if (!holder.HasValue)
            {
                if (attempt < ReserveAttempts)
                {
                    continue;
                }
                throw NameTaken(kind, name, folderId);
            }
            if (holder.Value!.GetString("OwnerId") == ownerId)
            {
                return;
            }
            if (ownerExists is not null && MayTakeOver(holder.Value, claimHash) && !await ownerExists(holder.Value.GetString("OwnerId")))
            {
                try
                {
                    await _table.UpdateEntityAsync(entity, holder.Value.ETag, TableUpdateMode.Replace);
                    return;
                }
                catch (RequestFailedException e) when (e.Status is 404 or 412 && attempt < ReserveAttempts)
                {
                    continue;
                }
            }
            throw NameTaken(kind, name, folderId);
        }
    }

    /// <summary>Looks at a name's row this many times while it keeps changing under the reservation, then answers it taken.</summary>
    private const int ReserveAttempts = 5;

    /// <summary>
    /// A reservation whose owner does not exist may be taken over by the request that made it (the same
    /// key: its earlier attempt died before committing, and the retry's new id is another owner), or by
    /// anyone once abandoned.
    /// </summary>
    private static bool MayTakeOver(TableEntity holder, string? claimHash) =>
        (claimHash is not null && holder.GetString("ClaimHash") == claimHash) || holder.Timestamp < DateTimeOffset.UtcNow - AbandonedAfter;

    /// <summary>Reserves many names, a transaction per hundred; returns the names another owner holds.</summary>
    public async Task<IReadOnlySet<string>> ReserveNamesAsync(string folderId, string kind, IReadOnlyList<(string Name, string OwnerId, string? ClaimHash)> names, Func<string, Task<bool>>? ownerExists = null)
    {
        await _created.Value;
        var taken = new HashSet<string>(StringComparer.Ordinal);
        foreach (var chunk in names.Chunk(100))
        {
            try
            {
                await _table.SubmitTransactionAsync(chunk.Select(n => new TableTransactionAction(TableTransactionActionType.Add, NameRow(folderId, kind, n.Name, n.OwnerId, n.ClaimHash))));
            }
            catch (RequestFailedException refused) when (refused.Status is 409 or 400 || refused is TableTransactionFailedException)
            {
                foreach (var (name, owner, claimHash) in chunk)
                {
                    try
                    {
                        await ReserveNameAsync(folderId, kind, name, owner, ownerExists, claimHash);
                    }
                    catch (StratumException e) when (e.Code == ErrorCode.AlreadyExists)
                    {
                        taken.Add(name);
                    }
                }
            }
        }
        return taken;
    }

    /// <summary>
    /// Hands a name from an owner that will not exist to the one that holds the name: a keyed retry
    /// took the name over, then found that its first attempt had committed after all.
    /// </summary>
    public async Task HandNameAsync(string folderId, string kind, string name, string fromOwnerId, string toOwnerId)
    {
        await _created.Value;
        var holder = await _table.GetEntityIfExistsAsync<TableEntity>(NamesPartition(folderId, kind), name);
        if (holder.HasValue && holder.Value!.GetString("OwnerId") == fromOwnerId)
        {
            holder.Value["OwnerId"] = toOwnerId;
            try
            {
                await _table.UpdateEntityAsync(holder.Value, holder.Value.ETag, TableUpdateMode.Replace);
            }
            catch (RequestFailedException e) when (e.Status is 404 or 412)
            {
                // Changed since the read: no longer the owner's to hand (see ReleaseNameAsync).
            }
        }
    }

    private static TableEntity NameRow(string folderId, string kind, string name, string ownerId, string? claimHash)
    {
        var row = new TableEntity(NamesPartition(folderId, kind), name) { ["OwnerId"] = ownerId };
        if (claimHash is not null)
        {
            row["ClaimHash"] = claimHash;
        }
        return row;
    }

    public async Task ReleaseNameAsync(string folderId, string kind, string name, string ownerId)
    {
        await _created.Value;
        var holder = await _table.GetEntityIfExistsAsync<TableEntity>(NamesPartition(folderId, kind), name);
        if (holder.HasValue && holder.Value!.GetString("OwnerId") == ownerId)
        {
            try
            {
                await _table.DeleteEntityAsync(holder.Value.PartitionKey, name, holder.Value.ETag);
            }
            catch (RequestFailedException e) when (e.Status is 404 or 412)
            {
                // Changed since the read: taken over (the same key sent again at once) or given back already, so no
                // longer this owner's. It failed the shard's flush: 503 for a create refused for quota (1 in 90, CI).
            }
        }
    }

    /// <summary>The refusal of a name already in use: "An image named 'x' already exists in folder 'fld…'." (folders are named among all folders).</summary>
    public static StratumException NameTaken(string kind, string name, string folderId)
    {
        var article = "aeiou".Contains(kind[0], StringComparison.Ordinal) ? "An" : "A";
        var where = folderId == Folders.FolderGrain.RootFolder ? "" : $" in folder '{folderId}'";
        return new StratumException(ErrorCode.AlreadyExists, $"{article} {kind} named '{name}' already exists{where}.");
    }

    // ---- families

    public async Task UpsertFamilyAsync(FamilySummary family)
    {
        await _created.Value;
        await _table.UpsertEntityAsync(new TableEntity(FamiliesPartition(family.FolderId), family.Name)
        {
            ["LatestImageId"] = family.LatestImageId,
            ["ImageCount"] = family.ImageCount,
            ["Rollouts"] = family.Rollouts is { Count: > 0 } rollouts ? JsonSerializer.Serialize(rollouts, Json) : null,
        }, TableUpdateMode.Replace);
    }

    public async Task DeleteFamilyAsync(string folderId, string family)
    {
        await _created.Value;
        await DeleteIfExistsAsync(FamiliesPartition(folderId), family);
    }

    public Task<Page<FamilySummary>> QueryFamiliesAsync(string folderId, ListQuery query)
    {
        RequireFamiliesQuery(query);
        return QueryAsync($"PartitionKey eq '{FamiliesPartition(folderId)}'", query, "families", e => Family(e, folderId));
    }

    /// <summary>One family of a folder (a point read), or null when the folder has no such family.</summary>
    public async Task<FamilySummary?> GetFamilyAsync(string folderId, string family)
    {
        await _created.Value;
        var row = await _table.GetEntityIfExistsAsync<TableEntity>(FamiliesPartition(folderId), family);
        return row.HasValue ? Family(row.Value!, folderId) : null;
    }

    private static FamilySummary Family(TableEntity e, string folderId) =>
        new(e.RowKey, folderId, e.GetString("LatestImageId"), e.GetInt64("ImageCount") ?? 0,
            e.GetString("Rollouts") is { } rollouts ? JsonSerializer.Deserialize<List<FamilyRollout>>(rollouts, Json) : []);

    // ---- folders: one partition of all folders, with the subjects bound to each for visibility

    public async Task UpsertFolderAsync(Folder folder, IEnumerable<Subject> members)
    {
        await _created.Value;
        await _table.UpsertEntityAsync(new TableEntity(FoldersPartition, folder.Id)
        {
            ["Data"] = JsonSerializer.Serialize(folder, Json),
            ["Members"] = "|" + string.Join("|", members.Select(m => m.ToString()).Distinct()) + "|",
        }, TableUpdateMode.Replace);
    }

    public async Task DeleteFolderAsync(string folderId)
    {
        await _created.Value;
        await DeleteIfExistsAsync(FoldersPartition, folderId);
    }

    /// <summary>The families list's rules: ordered by name, no filter (400 otherwise).</summary>
    public static void RequireFamiliesQuery(ListQuery query)
    {
        if (!string.IsNullOrWhiteSpace(query.Filter) || !(string.IsNullOrWhiteSpace(query.OrderBy) || query.OrderBy.Trim() is "name" or "name asc"))
        {
            throw StratumException.Invalid("The families list is ordered by name and takes no filter.");
        }
    }

    /// <summary>
    /// A page of families computed in memory (those a caller sees through images shared with it),
    /// paged as the stored list is: by name, its token naming the last family returned. The query's
    /// order and filter are checked first, before the list is computed (<see cref="RequireFamiliesQuery"/>).
    /// </summary>
    public static Page<FamilySummary> PageOf(string folderId, IReadOnlyList<FamilySummary> byName, ListQuery query)
    {
        var queryKey = PageToken.Scope("families|shared", folderId);
        var size = PageToken.Size(query.PageSize);
        var after = PageToken.Decode(query.PageToken, queryKey);
        var rest = byName.Where(f => after is null || string.CompareOrdinal(f.Name, after) > 0).ToList();
        var page = rest.Take(size).ToList();
        return new Page<FamilySummary>(page, rest.Count > size ? PageToken.Encode(queryKey, page[^1].Name) : null);
    }

    /// <summary>A page of folders; <paramref name="visibleTo"/> null lists all of them (platform admins).</summary>
    public Task<Page<Folder>> QueryFoldersAsync(Subject? visibleTo, ListQuery query)
    {
        if (!string.IsNullOrWhiteSpace(query.Filter) || !(string.IsNullOrWhiteSpace(query.OrderBy) || query.OrderBy.Trim() is "id" or "id asc"))
        {
            throw StratumException.Invalid("The folders list is ordered by id and takes no filter.");
        }
        // OData has no "contains", so the folders a caller is bound on are found by scanning this
        // one partition page by page and keeping the rows whose Members name the caller.
        return QueryAsync($"PartitionKey eq '{FoldersPartition}'", query, "folders", e => JsonSerializer.Deserialize<Folder>(e.GetString("Data"), Json)!,
            visibleTo is null ? null : e => IsMember(e.GetString("Members"), visibleTo));
    }

    private static bool IsMember(string? members, Subject subject) =>
        members is not null && (members.Contains($"|{subject}|", StringComparison.Ordinal)
            || members.Contains($"|{Subject.AllAuthenticatedUsers}|", StringComparison.Ordinal));

    // ---- plumbing

    private async Task<Page<T>> QueryAsync<T>(string filter, ListQuery query, string queryName, Func<TableEntity, T> map, Func<TableEntity, bool>? keep = null)
    {
        await _created.Value;
        var pageSize = PageToken.Size(query.PageSize);
        // The table filter names the partition (the folder) and holds the caller's filter.
        var queryKey = PageToken.Scope(queryName, filter);
        var continuation = PageToken.Decode(query.PageToken, queryKey);
        var items = new List<T>();
        await foreach (var page in _table.QueryAsync<TableEntity>(filter, pageSize).AsPages(continuation, pageSize))
        {
            items.AddRange(page.Values.Where(e => keep?.Invoke(e) ?? true).Select(map));
            continuation = page.ContinuationToken;
            // A page of the table is one request: stop when the caller's page is full, or when a
            // filtered scan (keep) has found something, so one list call stays a bounded number of reads.
            if (continuation is null || items.Count >= pageSize || keep is null || items.Count > 0)
            {
                break;
            }
        }
        if (items.Count > pageSize)
        {
            items = items[..pageSize];
        }
        return new Page<T>(items, continuation is null ? null : PageToken.Encode(queryKey, continuation));
    }

    private async Task DeleteIfExistsAsync(string partition, string rowKey)
    {
        try
        {
            await _table.DeleteEntityAsync(partition, rowKey);
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
        }
    }

    private const string FoldersPartition = "folders";
    private static string FamiliesPartition(string folderId) => $"{folderId}|families";
    private static string NamesPartition(string folderId, string kind) => $"{folderId}|names|{kind}";
}
