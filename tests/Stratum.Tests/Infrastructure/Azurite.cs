using System.Diagnostics;
using Stratum.Tools;

namespace Stratum.Tests.Infrastructure;

/// <summary>
/// One Azurite for the whole test run (the load-test tool's launcher), with its own data folder,
/// killed by PID when the run ends.
/// </summary>
public sealed class Azurite
{
    private static readonly Lazy<Task<Azurite>> Shared = new(StartAsync);

    private Azurite(Process process, string connectionString)
    {
        Process = process;
        ConnectionString = connectionString;
    }

    public Process Process { get; }

    public string ConnectionString { get; }

    public static Task<Azurite> InstanceAsync() => Shared.Value;

    private static async Task<Azurite> StartAsync()
    {
        // Owned: a run whose host ends without its exit handlers leaves the folder to the next run's sweep.
        var data = OwnedTempDirectories.Create("stratum-azurite-");
        var azurite = await AzuriteProcess.StartAsync(RepositoryRoot(), data);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Stop(azurite, data);
        return new Azurite(azurite.Process, azurite.ConnectionString);
    }

    public static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "package.json")))
        {
            directory = directory.Parent;
        }
        return directory?.FullName ?? throw new InvalidOperationException("package.json not found above the test binaries.");
    }

    private static void Stop(AzuriteProcess azurite, string data)
    {
        try
        {
            // The services first, then their shell (AzuriteProcess.DisposeAsync): killing the shell's tree from the
            // shell down left azurite-table running under init after a CI run (ci-32b), most likely when the test
            // host was ended while this handler ran, after the shell and before the table service.
            if (azurite.DisposeAsync().AsTask().Wait(TimeSpan.FromSeconds(5)))
            {
                OwnedTempDirectories.TryDelete(data);
            }
        }
        catch (Exception)
        {
            // The run is ending; a leftover temp folder is harmless.
        }
    }
}
