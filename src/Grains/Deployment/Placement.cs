using System.Security.Cryptography;

namespace Stratum.Deployment;

/// <summary>
/// Where a compute row lives. Every row sits in one of <see cref="Partitions"/> table partitions
/// chosen by a hash of its id, so a read by id alone is a point read. A folder's shard k has a
/// home partition, and the ids it issues are drawn until they hash there, so everything one
/// shard writes lands in one partition and commits in one atomic transaction.
/// </summary>
public static class Placement
{
    public const int Partitions = 256;

    /// <summary>
    /// The partition of an id, from its 17 random characters only: the operation of a create is named
    /// after its resource (same characters, prefix "opr"), so both land in the same partition.
    /// </summary>
    public static int PartitionOf(string id) => (int)(Fnv(id.Length > 3 ? id[3..] : id) % Partitions);

    /// <summary>The operation of a create: no row of its own, it is read from its resource's row.</summary>
    public static string OperationIdOf(string resourceId) => ResourceIds.Operation + resourceId[3..];

    /// <summary>The resources an operation id may be named after.</summary>
    public static IEnumerable<string> ResourcesOf(string operationId) =>
        new[] { ResourceIds.Instance, ResourceIds.Disk, ResourceIds.Snapshot }.Select(prefix => prefix + operationId[3..]);

    /// <summary>A name for a copy of data made for a resource: its id, and a part unique to this attempt.</summary>
    public static string DataBlobFor(string resourceId) => $"{resourceId}.{Guid.NewGuid():N}";

    public static int Home(string folderId, int shard) => (int)(Fnv($"{folderId}/{shard}") % Partitions);

    public static string PartitionKey(int partition) => $"p{partition:D3}";

    public static string ShardKey(string folderId, int shard) => $"{folderId}/{shard}";

    public static (string FolderId, int Shard) ParseShardKey(string key)
    {
        var slash = key.LastIndexOf('/');
        return (key[..slash], int.Parse(key[(slash + 1)..], System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>The shard of a folder whose home holds the id, or -1.</summary>
    public static int ShardOf(string folderId, string id, int shards)
    {
        var partition = PartitionOf(id);
        for (var k = 0; k < shards; k++)
        {
            if (Home(folderId, k) == partition)
            {
                return k;
            }
        }
        return -1;
    }

    /// <summary>A random id of the given type that hashes to <paramref name="partition"/> (about 256 draws).</summary>
    public static string NewId(string prefix, int partition)
    {
        while (true)
        {
            var id = ResourceIds.New(prefix);
            if (PartitionOf(id) == partition)
            {
                return id;
            }
        }
    }

    /// <summary>The same, but the same every time for the same seed: a retried bulk create makes the same ids.</summary>
    public static string DeterministicId(string prefix, int partition, string seed)
    {
        const string alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
        for (var attempt = 0; ; attempt++)
        {
            var hash = SHA256.HashData(System.Text.Encoding.UTF8.GetBytes($"{seed}#{attempt}"));
            var id = prefix + new string(hash.Take(17).Select(b => alphabet[b % alphabet.Length]).ToArray());
            if (PartitionOf(id) == partition)
            {
                return id;
            }
        }
    }

    private static uint Fnv(string text)
    {
        var hash = 2166136261u;
        foreach (var c in text)
        {
            hash = (hash ^ c) * 16777619u;
        }
        return hash;
    }
}
