using System.Diagnostics;
using Stratum.Tests.Infrastructure;
using Stratum.Tools;

namespace Stratum.Tests.LoadTest;

/// <summary>
/// The three Azurite services (blob, queue, table) started by the tools and the test fixtures end
/// with the shell that started them, however it is stopped, so no run leaves them running under init.
/// </summary>
public sealed class AzuriteProcessTests
{
    [Fact]
    public async Task A_SIGTERM_to_the_shell_kills_the_three_services()
    {
        await using var azurite = await StartAsync();
        // The shell's pipe reader too: it must not be left waiting on a pipe that may stay open.
        var services = ChildrenOf(azurite.Process.Id, "");
        Assert.Equal(3, services.Count(pid => CommandLine(pid).Contains("azurite-", StringComparison.Ordinal)));

        using (var signal = Process.Start("kill", ["-TERM", $"{azurite.Process.Id}"]))
        {
            await signal.WaitForExitAsync();
        }

        try
        {
            await Wait.UntilAsync(() => services.All(Gone), what: "the services' end after the shell's SIGTERM");
        }
        finally
        {
            KillLeftovers(services);
        }
    }

    [Fact]
    public async Task The_services_end_when_the_starting_process_s_pipe_closes()
    {
        await using var azurite = await StartAsync();
        var services = ChildrenOf(azurite.Process.Id, "azurite-");
        Assert.Equal(3, services.Count);

        // What a parent killed without running its exit handlers leaves: the shell's stdin at end of file.
        azurite.Process.StandardInput.Close();

        try
        {
            await Wait.UntilAsync(() => services.All(Gone), what: "the services' end when the shell's stdin closed");
        }
        finally
        {
            KillLeftovers(services);
        }
    }

    private readonly string _data = OwnedTempDirectories.Create("stratum-azurite-test-");

    private Task<AzuriteProcess> StartAsync() => AzuriteProcess.StartAsync(Azurite.RepositoryRoot(), _data);

    /// <summary>A failed test must not leave what it looked for running.</summary>
    private void KillLeftovers(List<int> services)
    {
        foreach (var pid in services.Where(pid => !Gone(pid)))
        {
            try
            {
                using var process = Process.GetProcessById(pid);
                process.Kill();
            }
            catch (ArgumentException)
            {
                // Ended meanwhile.
            }
        }
        OwnedTempDirectories.TryDelete(_data);
    }

    /// <summary>The processes whose parent is <paramref name="parent"/> and whose command line holds <paramref name="command"/>, from /proc.</summary>
    private static List<int> ChildrenOf(int parent, string command) =>
        Directory.EnumerateDirectories("/proc")
            .Select(Path.GetFileName)
            .Where(name => int.TryParse(name, out _))
            .Select(int.Parse!)
            .Where(pid => ParentOf(pid) == parent && CommandLine(pid).Contains(command, StringComparison.Ordinal))
            .ToList();

    private static int? ParentOf(int pid)
    {
        try
        {
            // "pid (comm) state ppid ...": comm may hold spaces, so the fields are counted after its ')'.
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1]);
        }
        catch (IOException)
        {
            return null;
        }
    }

    private static string CommandLine(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/cmdline");
        }
        catch (IOException)
        {
            return "";
        }
    }

    /// <summary>Ended: no such process, or a zombie its (dead) parent has not reaped yet.</summary>
    private static bool Gone(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[stat.LastIndexOf(')') + 2] == 'Z';
        }
        catch (IOException)
        {
            return true;
        }
    }
}
