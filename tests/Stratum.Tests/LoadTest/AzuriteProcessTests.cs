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
    private readonly string _data = OwnedTempDirectories.Create("stratum-azurite-test-");

    [Fact]
    public async Task A_SIGTERM_to_the_shell_kills_the_three_services()
    {
        await using var azurite = await StartAsync();
        // The shell's pipe reader too: it must not be left waiting on a pipe that may stay open.
        var services = ProcFs.ChildrenOf(azurite.Process.Id);
        Assert.Equal(3, services.Count(pid => ProcFs.CommandLine(pid).Contains("azurite-", StringComparison.Ordinal)));

        using (var signal = Process.Start("kill", ["-TERM", $"{azurite.Process.Id}"]))
        {
            await signal.WaitForExitAsync();
        }

        try
        {
            await Wait.UntilAsync(() => services.All(ProcFs.Gone), what: "the services' end after the shell's SIGTERM");
        }
        finally
        {
            CleanUp(services);
        }
    }

    [Fact]
    public async Task The_services_end_when_the_starting_process_s_pipe_closes()
    {
        await using var azurite = await StartAsync();
        var services = ProcFs.ChildrenOf(azurite.Process.Id, "azurite-");
        Assert.Equal(3, services.Count);

        // What a parent killed without running its exit handlers leaves: the shell's stdin at end of file.
        azurite.Process.StandardInput.Close();

        try
        {
            await Wait.UntilAsync(() => services.All(ProcFs.Gone), what: "the services' end when the shell's stdin closed");
        }
        finally
        {
            CleanUp(services);
        }
    }

    /// <summary>A SIGKILL runs no trap: a trial killed the shell alone, and its services lived on under init, out of its tree.</summary>
    [Fact]
    public async Task Services_whose_shell_was_killed_end_when_it_is_disposed()
    {
        var azurite = await StartAsync();
        var services = ProcFs.ChildrenOf(azurite.Process.Id, "azurite-");
        Assert.Equal(3, services.Count);
        azurite.Process.Kill();
        // Not WaitForExitAsync: that waits for the end of the shell's output too, which its services still hold.
        await Wait.UntilAsync(() => ProcFs.Gone(azurite.Process.Id), what: "the shell's end");

        try
        {
            await azurite.DisposeAsync();
            await Wait.UntilAsync(() => services.All(ProcFs.Gone), what: "the services' end after their killed shell's disposal");
        }
        finally
        {
            CleanUp(services);
        }
    }

    /// <summary>
    /// A trial's SIGINT to the group of a tool that ignored it ended the services but not their shell (a trap cannot
    /// catch a signal ignored on entry): the run hung on storage that never answered. The ended service is named.
    /// </summary>
    [Fact]
    public async Task A_service_that_ended_is_named_while_its_shell_lives_on()
    {
        await using var azurite = await StartAsync();
        var services = ProcFs.ChildrenOf(azurite.Process.Id, "azurite-");
        try
        {
            Assert.Null(azurite.FirstEnded());
            var table = ProcFs.ChildrenOf(azurite.Process.Id, "azurite-table").Single();

            using (var signal = Process.Start("kill", ["-INT", $"{table}"]))
            {
                await signal.WaitForExitAsync();
            }

            await Wait.UntilAsync(() => azurite.FirstEnded() == "azurite-table", what: "azurite-table named as ended");
            Assert.False(azurite.Process.HasExited);
        }
        finally
        {
            CleanUp(services);
        }
    }

    private Task<AzuriteProcess> StartAsync() => AzuriteProcess.StartAsync(Azurite.RepositoryRoot(), _data);

    private void CleanUp(List<int> services)
    {
        ProcFs.KillLeftovers(services);
        OwnedTempDirectories.TryDelete(_data);
    }
}
