using System.Globalization;
using System.IO.Hashing;
using System.Text;

namespace Stratum.Tests.Infrastructure;

/// <summary>Cohort keys the service must refuse, chosen to land in a bucket a test has filled.</summary>
public static class CohortKeys
{
    /// <summary>
    /// A 300-character key (past the 256 allowed) whose bucket is <paramref name="bucket"/>, by the
    /// documented hash of any key however long: XxHash64 of "folder\nfamily\nkey" in UTF-8, modulo 100.
    /// </summary>
    public static string TooLongIn(string folderId, string family, int bucket) =>
        Enumerable.Range(0, 10_000).Select(i => new string('k', 296) + i.ToString("D4", CultureInfo.InvariantCulture))
            .First(key => (int)(XxHash64.HashToUInt64(Encoding.UTF8.GetBytes($"{folderId}\n{family}\n{key}")) % Cohorts.Buckets) == bucket);
}
