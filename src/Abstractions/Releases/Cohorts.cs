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
    public static int Bucket(string folderId, string family, string cohortKey)
    {
        // XxHash64 is specified (not tied to a runtime), so buckets never move between versions.
        var text = $"{folderId}\n{family}\n{cohortKey}";
        Span<byte> buffer = stackalloc byte[512];
        var bytes = Encoding.UTF8.GetMaxByteCount(text.Length) <= buffer.Length ? buffer[..Encoding.UTF8.GetBytes(text, buffer)] : Encoding.UTF8.GetBytes(text);
        return (int)(XxHash64.HashToUInt64(bytes) % Buckets);
    }

    /// <summary>The cohort key of a caller who gives none: its subject, <c>userAccount:alice</c>.</summary>
    public static string KeyOf(Caller caller) => caller.Subject.ToString();

    /// <summary>Whether an image at <paramref name="percent"/> is latest-eligible for <paramref name="bucket"/>.</summary>
    public static bool Includes(int percent, int bucket) => percent > bucket;
}
