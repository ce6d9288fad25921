namespace Stratum.LoadTest;

/// <summary>Where <c>--report</c> writes report.json and chart.svg, checked before the run.</summary>
public static class ReportDirectory
{
    /// <summary>Why the report could not be written in <paramref name="directory"/> (made if missing), or null if it can.</summary>
    public static string? Unusable(string directory)
    {
        try
        {
            Directory.CreateDirectory(directory);
            var probe = Path.Combine(directory, $".stratum-loadtest-{Guid.NewGuid():N}");
            File.WriteAllText(probe, "");
            File.Delete(probe);
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            return $"the report cannot be written there ({e.Message}); give a directory this user may write.";
        }
    }
}
