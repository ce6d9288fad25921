using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Stratum.Tests.Infrastructure;

/// <summary>
/// One Azurite for the whole test run, installed from npm if needed, on free ports with its own
/// data folder, and killed by PID when the run ends (it ignores SIGTERM).
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
        var root = RepositoryRoot();
        var binary = Path.Combine(root, "node_modules", ".bin", "azurite");
        if (!File.Exists(binary))
        {
            await RunAsync("npm", "ci --no-audit --no-fund", root);
        }
        var data = Directory.CreateTempSubdirectory("stratum-azurite-").FullName;
        var (blob, queue, table) = (FreePort(), FreePort(), FreePort());
        var process = Process.Start(new ProcessStartInfo(binary,
            $"--silent --skipApiVersionCheck --location {data} --blobHost 127.0.0.1 --queueHost 127.0.0.1 --tableHost 127.0.0.1 --blobPort {blob} --queuePort {queue} --tablePort {table}")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = root,
        })!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Kill(process, data);
        await WaitForPortAsync(table, process);
        await WaitForPortAsync(blob, process);
        const string key = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
        return new Azurite(process, $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={key};" +
            $"BlobEndpoint=http://127.0.0.1:{blob}/devstoreaccount1;QueueEndpoint=http://127.0.0.1:{queue}/devstoreaccount1;TableEndpoint=http://127.0.0.1:{table}/devstoreaccount1;");
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

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task WaitForPortAsync(int port, Process process)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"Azurite exited with code {process.ExitCode}.");
            }
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(100);
            }
        }
        throw new TimeoutException($"Azurite did not open port {port} within 60 s.");
    }

    private static async Task RunAsync(string file, string arguments, string directory)
    {
        using var process = Process.Start(new ProcessStartInfo(file, arguments) { WorkingDirectory = directory })!;
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {arguments} exited with {process.ExitCode}.");
        }
    }

    private static void Kill(Process process, string data)
    {
        try
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit(5000);
            Directory.Delete(data, recursive: true);
        }
        catch (Exception)
        {
            // The run is ending; a leftover temp folder is harmless.
        }
    }
}
