using System.Security.Cryptography;

namespace Stratum.Deployment;

/// <summary>
/// Where a compute row lives. Every row sits in one of <see cref="Partitions"/> table partitions,
/// and its id says which, so a read by id alone is a point read. A folder's shard k has a home
/// partition and issues ids in it, so everything one shard writes lands in one partition and
/// commits in one atomic transaction.
/// </summary>
public static class Placement
{
    public const int Partitions = 256;

    /// <summary>
    /// The partition of an id, written in its first two characters after the type prefix (two
    /// [a-z0-9] digits; the other 15 are random). An operation of a create is named after its
    /// resource (same characters, prefix "opr"), so both land in the same partition.
    /// </summary>
    public static int PartitionOf(string id) => id.Length >= 5 ? (Digit(id[3]) * 36 + Digit(id[4])) % Partitions : 0;

    /// <summary>The operation of a create: no row of its own, it is read from its resource's row.</summary>
    public static string OperationIdOf(string resourceId) => ResourceIds.Operation + resourceId[3..];

    /// <summary>The resource of a create named after its operation (the inverse of <see cref="OperationIdOf"/>).</summary>
    public static string ResourceOf(string prefix, string operationId) => prefix + operationId[3..];

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

    /// <summary>A random id of the given type in the given partition.</summary>
    public static string NewId(string prefix, int partition) =>
        prefix + Code(partition) + RandomNumberGenerator.GetString(Alphabet, 15);

    /// <summary>The same, but the same every time for the same seed: a retry makes the same ids.</summary>
    public static string DeterministicId(string prefix, int partition, string seed)
    {
        var hash = SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(seed));
        return prefix + Code(partition) + new string(hash.AsSpan(0, 15).ToArray().Select(b => Alphabet[b % Alphabet.Length]).ToArray());
    }

    private const string Alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";

    private static string Code(int partition) => $"{Alphabet[partition / 36]}{Alphabet[partition % 36]}";

    private static int Digit(char c) => c is >= 'a' and <= 'z' ? c - 'a' : c is >= '0' and <= '9' ? c - '0' + 26 : 0;

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
