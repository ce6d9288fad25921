using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Stratum.Tools;

/// <summary>
/// Azurite from this checkout's node_modules (installed with npm if missing), on free loopback
/// ports with its own data folder, killed with SIGKILL (its SIGTERM only closes its servers, which
/// waits for idle connections), also when the process that started it is gone. Used by the
/// load-test tool's local cluster and by the test fixtures.
/// </summary>
internal sealed class AzuriteProcess(Process process, string connectionString, IReadOnlyDictionary<string, int> ports, IReadOnlyList<int> services) : IAsyncDisposable
{
    private const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    public Process Process { get; } = process;

    /// <summary>The devstoreaccount1 connection string for this instance's ports.</summary>
    public string ConnectionString { get; } = connectionString;

    /// <summary>Each service's loopback port, by its program's name: azurite-blob, azurite-queue, azurite-table.</summary>
    public IReadOnlyDictionary<string, int> Ports { get; } = ports;

    /// <summary>
    /// The first service whose port refuses a connection now ("azurite-table"), or null while all three accept.
    /// A service that got SIGINT or SIGTERM closes its servers and lives on until its connections end, so
    /// its process being there does not say it serves.
    /// </summary>
    public async Task<string?> FirstRefusingAsync()
    {
        foreach (var (service, port) in Ports)
        {
            try
            {
                using var client = new TcpClient();
                using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                await client.ConnectAsync(IPAddress.Loopback, port, patience.Token);
            }
            catch (SocketException)
            {
                return service;
            }
            catch (OperationCanceledException)
            {
                // A full listen backlog leaves the connection pending: busy, not gone.
            }
        }
        return null;
    }

    /// <summary>
    /// The first service whose process has ended, or null while all three run. Read from /proc (a process
    /// ended but not yet reaped by its shell shows no command line), so cheap enough to ask every 250 ms:
    /// a trial's SIGINT to the group of a tool that ignores it ended the services but not their shell, whose
    /// trap cannot catch a signal ignored on entry, and the run then hung on storage that never answered.
    /// Null where /proc is not (no service was found at the start).
    /// </summary>
    public string? FirstEnded() =>
        services.Count == 0 ? null
            : Ports.Keys.FirstOrDefault(service => !services.Any(pid => ProcessTable.CommandLine(pid).Contains(service, StringComparison.Ordinal)));

    public static async Task<AzuriteProcess> StartAsync(string repositoryRoot, string dataDirectory)
    {
        var binary = Path.Combine(repositoryRoot, "node_modules", ".bin", "azurite");
        if (!File.Exists(binary))
        {
            using var npm = Process.Start(new ProcessStartInfo("npm", "ci --no-audit --no-fund") { WorkingDirectory = repositoryRoot })!;
            await npm.WaitForExitAsync();
            if (npm.ExitCode != 0)
            {
                throw new InvalidOperationException($"npm ci exited with {npm.ExitCode}: Node.js and npm are needed to run Azurite.");
            }
        }
        var (blob, queue, table) = (FreePort(), FreePort(), FreePort());
        var start = new ProcessStartInfo("sh")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = repositoryRoot,
        };
        // One process per service: each Azurite serves its requests on one thread, and the table
        // service's periodic save of its whole database stalls everything that process serves, so
        // one process for all three made the blob and queue requests wait on the table's saves and
        // on each other. Azurite outlives a parent that dies without running its exit handlers (a
        // test host killed at the end of a run): the shell holds our stdin pipe and kills them when it closes.
        // It kills them too when it is signalled itself: on SIGTERM (a process group stopped from a
        // terminal or a CI runner) Azurite only closes its servers, which waits for the silos' idle
        // keep-alive connections, so a shell that died of the signal left the three running under init.
        // The pipe is read in the background (from fd 3: a background command's own stdin is /dev/null)
        // because the shell runs a trap only between commands, and `wait` is one it can interrupt.
        // Signalled, it ends with 128 + the signal's number, as a shell reports a command a signal ended,
        // so the one who watches it can say why storage went away.
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(
            "bin=\"$1\"; shift; " +
            "\"$bin-blob\" \"$@\" --blobHost 127.0.0.1 --blobPort \"$BLOB_PORT\" </dev/null & blob=$!; " +
            "\"$bin-queue\" \"$@\" --queueHost 127.0.0.1 --queuePort \"$QUEUE_PORT\" </dev/null & queue=$!; " +
            "\"$bin-table\" \"$@\" --tableHost 127.0.0.1 --tablePort \"$TABLE_PORT\" </dev/null & table=$!; " +
            "stop() { kill -9 $blob $queue $table $reader 2>/dev/null; exit \"${1:-0}\"; }; trap 'stop 129' HUP; trap 'stop 130' INT; trap 'stop 143' TERM; " +
            "exec 3<&0; cat <&3 >/dev/null & reader=$!; wait $reader; stop");
        start.ArgumentList.Add("azurite");
        start.ArgumentList.Add(binary);
        start.Environment["BLOB_PORT"] = $"{blob}";
        start.Environment["QUEUE_PORT"] = $"{queue}";
        start.Environment["TABLE_PORT"] = $"{table}";
        // --disableTelemetry: Azurite (3.35+) otherwise builds a usage record for every request, on the
        // one thread that serves them all (about a sixth of its CPU in an images run), to send it off the machine.
        foreach (var argument in (string[])["--silent", "--skipApiVersionCheck", "--disableTelemetry", "--location", dataDirectory])
        {
            start.ArgumentList.Add(argument);
        }
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        await WaitForPortAsync(table, process);
        await WaitForPortAsync(blob, process);
        await WaitForPortAsync(queue, process);
        var services = ProcessTable.Children(process.Id);
        return new AzuriteProcess(process, $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={AccountKey};" +
            $"BlobEndpoint=http://127.0.0.1:{blob}/devstoreaccount1;QueueEndpoint=http://127.0.0.1:{queue}/devstoreaccount1;TableEndpoint=http://127.0.0.1:{table}/devstoreaccount1;",
            new Dictionary<string, int> { ["azurite-blob"] = blob, ["azurite-queue"] = queue, ["azurite-table"] = table }, services);
    }

    private static readonly HashSet<int> GivenPorts = [];

    /// <summary>
    /// A loopback port free now, and not given before by this process: the port is closed again before its user
    /// binds it, so the system may hand it out twice (two silos of one local cluster got the same HTTP port). Another
    /// process may still take it in between.
    /// </summary>
    public static int FreePort()
    {
        while (true)
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            lock (GivenPorts)
            {
                if (GivenPorts.Add(port))
                {
                    return port;
                }
            }
        }
    }

    /// <summary>Waits (60 s at most) until something listens on the port; fails early if <paramref name="owner"/> exits.</summary>
    public static async Task WaitForPortAsync(int port, Process? owner = null)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            if (owner is { HasExited: true })
            {
                throw new InvalidOperationException($"The process meant to listen on port {port} exited with code {owner.ExitCode}.");
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
        throw new TimeoutException($"Nothing listened on port {port} within 60 s.");
    }

    public async ValueTask DisposeAsync()
    {
        // The services first, by the ids noted at the start (if those still name an Azurite service),
        // then the shell: a shell killed on its own (SIGKILL runs no trap) leaves its services under init,
        // out of its tree, and a disposal cut short after killing the shell (its process killed meanwhile)
        // left some of them running. While the shell lives, its pipe still ends them if this process dies.
        foreach (var pid in services.Where(pid => ProcessTable.CommandLine(pid).Contains("azurite-", StringComparison.Ordinal)))
        {
            try
            {
                using var service = Process.GetProcessById(pid);
                service.Kill();
            }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException)
            {
                // Gone meanwhile.
            }
        }
        if (!Process.HasExited)
        {
            Process.Kill(entireProcessTree: true);
            await Process.WaitForExitAsync();
        }
    }
}
