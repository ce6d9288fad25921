using System.Diagnostics;
using System.Globalization;

namespace Stratum.Tools;

/// <summary>
/// Temporary folders that name the process they belong to (an <c>owner</c> file with its id and
/// start time). Creating one first deletes the folders of the same prefix whose process is gone:
/// the test fixtures' Azurite data (hundreds of MB a run) stayed in /tmp whenever a test host
/// ended without running its exit handlers, and every load-test run left its Azurite data beside
/// its logs. A folder without an owner file (from before, or being created this instant) counts as
/// abandoned only once it is an hour old.
/// </summary>
internal static class OwnedTempDirectories
{
    private const string OwnerFile = "owner";
    private static readonly TimeSpan UnownedGrace = TimeSpan.FromHours(1);

    /// <summary>
    /// A new folder under the temp path named <paramref name="prefix"/> and a random tail, owned by this
    /// process. Of each abandoned folder with that prefix, <paramref name="abandonedPart"/> is deleted
    /// (a subfolder, say the data while logs stay), or the whole folder when it is null.
    /// </summary>
    public static string Create(string prefix, string? abandonedPart = null)
    {
        DeleteAbandoned(prefix, abandonedPart);
        var directory = Directory.CreateTempSubdirectory(prefix).FullName;
        using var self = Process.GetCurrentProcess();
        File.WriteAllText(Path.Combine(directory, OwnerFile), Stamp(self));
        return directory;
    }

    /// <summary>Deletes a folder and what is in it; a folder in use or already gone is left as it is.</summary>
    public static void TryDelete(string directory)
    {
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Still written to by a process that has not exited yet, or deleted meanwhile: the next sweep takes it.
        }
    }

    private static void DeleteAbandoned(string prefix, string? abandonedPart)
    {
        foreach (var directory in Directory.EnumerateDirectories(Path.GetTempPath(), prefix + "*"))
        {
            try
            {
                if (IsAbandoned(directory))
                {
                    TryDelete(abandonedPart is null ? directory : Path.Combine(directory, abandonedPart));
                }
            }
            catch (IOException)
            {
                // Deleted meanwhile by its owner (a parallel run ending): nothing left to sweep.
            }
        }
    }

    private static bool IsAbandoned(string directory)
    {
        var owner = Path.Combine(directory, OwnerFile);
        if (!File.Exists(owner))
        {
            return DateTime.UtcNow - Directory.GetLastWriteTimeUtc(directory) > UnownedGrace;
        }
        var parts = File.ReadAllText(owner).Split(' ');
        if (parts.Length != 2 || !int.TryParse(parts[0], CultureInfo.InvariantCulture, out var id)
            || !long.TryParse(parts[1], CultureInfo.InvariantCulture, out var started))
        {
            return false;
        }
        try
        {
            using var process = Process.GetProcessById(id);
            // Process ids are reused: the owner is alive only if this process started when the owner did.
            // Within a second, not to the tick: .NET reckons a start time from its own estimate of the boot
            // time, which differs by a fraction of a millisecond from one process to the next, so another
            // process took a live owner for gone and deleted its Azurite data under it (Azurite then answered
            // every write with 500: CI lost the client package fixture so, 3 runs in 6).
            return Math.Abs(process.StartTime.ToUniversalTime().Ticks - started) >= TimeSpan.TicksPerSecond;
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            // No process with that id, or it exited while being read.
            return true;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            // Another user's process: not ours to judge.
            return false;
        }
    }

    private static string Stamp(Process process) =>
        $"{process.Id.ToString(CultureInfo.InvariantCulture)} {process.StartTime.ToUniversalTime().Ticks.ToString(CultureInfo.InvariantCulture)}";
}
