using System.Diagnostics;
using System.Globalization;
using Stratum.Tools;

namespace Stratum.Tests.LoadTest;

/// <summary>Temp folders of processes that are gone are swept by the next one created with their prefix; a live owner's stay.</summary>
public sealed class OwnedTempDirectoriesTests
{
    private readonly string _prefix = $"stratum-owned-test-{Guid.NewGuid():N}-";

    [Fact]
    public void A_folder_whose_owner_is_gone_is_deleted_and_a_live_owner_s_is_kept()
    {
        using var self = Process.GetCurrentProcess();
        var alive = Folder($"{self.Id} {self.StartTime.ToUniversalTime().Ticks.ToString(CultureInfo.InvariantCulture)}");
        var gone = Folder("999999999 0");
        // The same id started at another time: the id was reused, the owner is gone.
        var reused = Folder($"{self.Id} 1");

        var created = OwnedTempDirectories.Create(_prefix);

        Assert.Equal((true, false, false, true), (Directory.Exists(alive), Directory.Exists(gone), Directory.Exists(reused), Directory.Exists(created)));
        OwnedTempDirectories.TryDelete(alive);
        OwnedTempDirectories.TryDelete(created);
    }

    [Fact]
    public void A_live_owner_s_folder_is_kept_when_another_process_reckons_its_start_a_little_differently()
    {
        // Another process computes this one's start time from its own estimate of the boot time: a fraction
        // of a millisecond off. Compared to the tick, the folder was swept, its Azurite data deleted under it.
        using var self = Process.GetCurrentProcess();
        var started = self.StartTime.ToUniversalTime().Ticks;
        var earlier = Folder($"{self.Id} {(started - TimeSpan.TicksPerMillisecond / 2).ToString(CultureInfo.InvariantCulture)}");
        var later = Folder($"{self.Id} {(started + 3 * TimeSpan.TicksPerMillisecond).ToString(CultureInfo.InvariantCulture)}");

        Directory.CreateDirectory(Path.Combine(earlier, "azurite"));
        Directory.CreateDirectory(Path.Combine(later, "azurite"));

        var created = OwnedTempDirectories.Create(_prefix, abandonedPart: "azurite");

        Assert.Equal((true, true), (Directory.Exists(Path.Combine(earlier, "azurite")), Directory.Exists(Path.Combine(later, "azurite"))));
        OwnedTempDirectories.TryDelete(earlier);
        OwnedTempDirectories.TryDelete(later);
        OwnedTempDirectories.TryDelete(created);
    }

    [Fact]
    public void Only_the_named_part_of_an_abandoned_folder_is_deleted()
    {
        var gone = Folder("999999999 0");
        Directory.CreateDirectory(Path.Combine(gone, "azurite"));
        File.WriteAllText(Path.Combine(gone, "silo1.log"), "kept");

        var created = OwnedTempDirectories.Create(_prefix, abandonedPart: "azurite");

        Assert.Equal((false, true), (Directory.Exists(Path.Combine(gone, "azurite")), File.Exists(Path.Combine(gone, "silo1.log"))));
        OwnedTempDirectories.TryDelete(gone);
        OwnedTempDirectories.TryDelete(created);
    }

    private string Folder(string owner)
    {
        var directory = Directory.CreateTempSubdirectory(_prefix).FullName;
        File.WriteAllText(Path.Combine(directory, "owner"), owner);
        return directory;
    }
}
