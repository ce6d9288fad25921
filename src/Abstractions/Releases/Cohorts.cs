using System.IO.Hashing;
using System.Text;

namespace Stratum;

/// <summary>
/// The cohort bucket of a family resolution: a stable hash 0-99 of (folderId, family, cohort key),
/// the same in every process and release, so a key always lands on the same side of a rollout.
/// </summary>
public static class Cohorts
{
    /// <summary>How many buckets there are: one per percent.</summary>
    public const int Buckets = 100;

    /// <summary>The longest cohort key accepted.</summary>
    public const int MaxKeyLength = 256;

    /// <summary>The bucket of a cohort key within a family.</summary>
    public static int Bucket(string folderId, string family, string cohortKey) => Bucket(folderId, family, subjectType: null, cohortKey);

    /// <summary>
    /// The bucket a latest read resolves in: the given cohort key's, else the caller's own (its
    /// subject, which has no length limit). A given key longer than <see cref="MaxKeyLength"/> is
    /// refused (<see cref="StratumException"/>, InvalidArgument) by the grains and by every reader
    /// before a latest cache alike: the caches are keyed by bucket, so a key the grains would refuse
    /// must not be answered from the bucket it hashes to.
    /// </summary>
    public static int Bucket(string folderId, string family, Caller caller, string? cohortKey) => cohortKey switch
    {
        null => Bucket(folderId, family, caller),
        { Length: > MaxKeyLength } when TextLength.Characters(cohortKey) is var characters and > MaxKeyLength =>
            throw StratumException.Invalid($"cohortKey is {characters} characters long; at most {MaxKeyLength} are allowed."),
        _ => Bucket(folderId, family, cohortKey),
    };

    /// <summary>The bucket of a caller who gives no cohort key: that of <see cref="KeyOf"/>, without making the key's text.</summary>
    public static int Bucket(string folderId, string family, Caller caller) =>
        Bucket(folderId, family, Subject.TypeName(caller.Subject.Type), caller.Subject.Id);

    // The hash of "{folderId}\n{family}\n{key}" (or "…\n{subjectType}:{key}") in UTF-8, each part encoded
    // into one buffer: the latest lookup computes it on every read. The parts meet at '\n' or ':', so no
    // surrogate pair spans two and the bytes are those of the whole text.
    private static int Bucket(string folderId, string family, string? subjectType, string key)
    {
        // XxHash64 is specified (not tied to a runtime), so buckets never move between versions.
        var length = Encoding.UTF8.GetMaxByteCount(folderId.Length + family.Length + (subjectType?.Length ?? 0) + key.Length + 3);
        var buffer = length <= 512 ? stackalloc byte[512] : new byte[length];
        var written = Encoding.UTF8.GetBytes(folderId, buffer);
        buffer[written++] = (byte)'\n';
        written += Encoding.UTF8.GetBytes(family, buffer[written..]);
        buffer[written++] = (byte)'\n';
        if (subjectType is not null)
        {
            written += Encoding.UTF8.GetBytes(subjectType, buffer[written..]);
            buffer[written++] = (byte)':';
        }
        written += Encoding.UTF8.GetBytes(key, buffer[written..]);
        return (int)(XxHash64.HashToUInt64(buffer[..written]) % Buckets);
    }

    /// <summary>The cohort key of a caller who gives none: its subject, <c>userAccount:alice</c>.</summary>
    public static string KeyOf(Caller caller) => caller.Subject.ToString();

    /// <summary>Whether an image at <paramref name="percent"/> is latest-eligible for <paramref name="bucket"/>.</summary>
    public static bool Includes(int percent, int bucket) => percent > bucket;
}
