using System.Net.Http.Headers;
using Stratum.LoadTest;

// Progress goes to stderr: a bar on a terminal, plain lines when stderr is a file or a pipe (a CI log).
return await LoadTestProgram.RunAsync(args, Console.Out, Console.Error, progressIsTerminal: !Console.IsErrorRedirected);

namespace Stratum.LoadTest
{
    /// <summary>Deploys many VMs at once against a Stratum cluster, watches it live, and proves nothing was lost.</summary>
    public static class LoadTestProgram
    {
        public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter progress, bool progressIsTerminal = false)
        {
            if (LoadOptions.AsksForHelp(args))
            {
                await output.WriteLineAsync(LoadOptions.Usage);
                return 0;
            }
            LoadOptions options;
            try
            {
                options = LoadOptions.Parse(args);
            }
            catch (ArgumentException e)
            {
                // One line and a pointer: the whole usage after it buried the line a trial needed.
                await progress.WriteLineAsync($"{e.Message} (--help lists the options)");
                return 2;
            }

            if (options.Report is { } reportDirectory && ReportDirectory.Unusable(reportDirectory) is { } why)
            {
                // Found before the run, not after it: a long run's report was lost to a directory it could not write.
                await progress.WriteLineAsync($"--report {reportDirectory}: {why}");
                return 2;
            }

            LocalCluster? cluster = null;
            try
            {
                cluster = options.Local ? await LocalCluster.StartAsync(options, progress) : null;
                var run = RunAsync(options, cluster, output, progress, progressIsTerminal);
                return cluster is null ? await run : await cluster.UnlessLostAsync(run, grace: TimeSpan.FromSeconds(5));
            }
            catch (Exception e) when (((e as ClusterStartException)?.Signal ?? cluster?.Signal) is { } signal)
            {
                // The signal's handler is stopping the cluster and ends the tool; what failed meanwhile is its consequence.
                return 128 + signal;
            }
            catch (RunConfigurationException e)
            {
                await progress.WriteLineAsync(e.Message);
                return 2;
            }
            catch (Exception e) when (Unreachable.Describe(e) is { } line)
            {
                // The cluster (local or named by --gateway) could not be started or reached: no run to report.
                await progress.WriteLineAsync(line);
                return 3;
            }
            catch (ClusterLostException e)
            {
                if (await cluster!.SignalWithinAsync(TimeSpan.FromSeconds(2)) is { } signal)
                {
                    return 128 + signal;
                }
                await progress.WriteLineAsync($"the run stopped: {e.Message}" + (e.InnerException is { } failure ? $" (then: {failure.Message})" : ""));
                return 3;
            }
            finally
            {
                if (cluster is not null)
                {
                    await cluster.DisposeAsync();
                }
            }
        }

        private static async Task<int> RunAsync(LoadOptions options, LocalCluster? cluster, TextWriter output, TextWriter progress, bool progressIsTerminal)
        {
            var gateway = new Uri(cluster?.GatewayUrl ?? options.Gateway);
            using var admin = Client(gateway, options.Token, options.Concurrency);
            // Every scenario reads the family's latest image (a local run makes it below): a missing one is the command line's mistake.
            await GatewayCheck.CheckAsync(admin, options.Folder, options.Family);
            await using var preparation = new Preparation(admin);
            var folderId = options.Folder ?? await preparation.CreateFolderAsync(options.Count);
            var firstImage = options.Local ? await preparation.PublishAsync(folderId, options.Family) : null;
            await using ITarget target = options.Target == "client"
                ? await ClientTarget.ConnectAsync(cluster?.Storage ?? options.Storage ?? throw new ArgumentException("--target client needs --storage without --local."),
                    cluster?.ClusterId ?? options.ClusterId, options.ClientToken ?? cluster?.TokenFor(Caller.Service("loadtest")) ?? options.Token, development: cluster is not null)
                : new GatewayTarget(Client(gateway, options.Token, options.Concurrency));

            var runId = Guid.NewGuid().ToString("N")[..6];
            if (options.Warmup > 0)
            {
                await WarmUpAsync(options, preparation, target, progress);
            }
            var folderBefore = options.Scenario == "lookup" ? FolderBefore.Empty : await Invariants.BeforeRunAsync(admin, folderId);
            var scenarios = new Scenarios(options, target, folderId, runId);
            var recorder = new Recorder();
            cluster?.MarkStorage();
            var before = cluster is null ? null : await cluster.ReadAsync();
            var sourceImage = options.Scenario == "images" ? firstImage ?? await target.LatestAsync(folderId, options.Family) : null;
            using var stopProgress = new CancellationTokenSource();
            var display = new ProgressDisplay(progress, progressIsTerminal);
            var live = ShowProgressAsync(recorder, options.Count, display, () => cluster?.RunAbandoned ?? false, stopProgress.Token);
            using var runEnded = new CancellationTokenSource();
            var chaos = options.KillSiloAt is { } at
                ? SiloKill.AtAsync(TimeSpan.FromSeconds(at), cluster!.KillSilo, () => recorder.Seconds, display, runEnded.Token)
                : Task.FromResult<string?>(null);
            switch (options.Scenario)
            {
                case "deploy": await scenarios.DeployAsync(recorder, options.Concurrency); break;
                case "bulk": await scenarios.BulkAsync(recorder); break;
                case "lookup": await scenarios.LookupAsync(recorder, options.Count, options.Concurrency); break;
                case "images": await scenarios.ImagesAsync(recorder, sourceImage!, options.Concurrency); break;
                default: await scenarios.MixedAsync(recorder, preparation, firstImage!); break;
            }
            var seconds = recorder.Seconds;
            await runEnded.CancelAsync();
            await stopProgress.CancelAsync();
            await live;
            var siloKilled = await chaos;

            var stages = cluster is null ? null : StageReport.Between(before!, await cluster.ReadAsync());
            InvariantReport? invariants = null;
            if (options.Scenario == "images")
            {
                invariants = await Invariants.CheckImagesAsync(admin, folderId, Scenarios.ImageNamePrefix(runId), scenarios.Acknowledged.ToList(), folderBefore.HeldElsewhere);
            }
            else if (options.Scenario != "lookup")
            {
                invariants = await Invariants.CheckAsync(admin, folderId, scenarios.AcknowledgedCount, options.Scenario == "bulk" ? null : scenarios.Acknowledged.ToList(), folderBefore);
            }
            double? perVm = null;
            if (cluster is not null)
            {
                await cluster.SampleNowAsync();
                perVm = options.Scenario == "lookup" || recorder.Succeeded == 0 ? null : Math.Round(cluster.StorageRequestsSinceMark / (double)recorder.Succeeded, 3);
                var (tables, blobs, queues) = cluster.StorageSplitSinceMark;
                var unit = options.Scenario == "images" ? "image" : "VM";
                await progress.WriteLineAsync($"storage requests during the run: {tables} table and {blobs} blob (counted per {unit} below); " +
                    $"{queues} queue (the change feed's, not counted per {unit})");
            }
            var report = new Report(options.Scenario, options.Target, options.Count, recorder.Succeeded, recorder.Failed, recorder.ErrorsByCode,
                seconds, recorder.Succeeded / Math.Max(seconds, 0.001), recorder.Latency(), invariants,
                cluster?.SilosPeakMb, cluster?.GatewayPeakMb, perVm, stages, recorder.FirstMessageByCode, siloKilled);
            await output.WriteLineAsync(report.Table());
            if (options.Scenario == "mixed")
            {
                var lookups = scenarios.Lookups.Latency();
                await output.WriteLineAsync($"  lookups meanwhile  {scenarios.Lookups.Succeeded} ({scenarios.Lookups.Succeeded / Math.Max(seconds, 0.001):F0} /s), p99 {lookups.P99:F1} ms, failed {scenarios.Lookups.Failed}");
            }
            foreach (var violation in invariants?.Violations ?? [])
            {
                await output.WriteLineAsync($"  violation: {violation}");
            }
            if (options.Report is { } directory)
            {
                await report.WriteAsync(directory, recorder.PerSecond());
                await output.WriteLineAsync($"  report            {Path.Combine(directory, "report.json")}, {Path.Combine(directory, "chart.svg")}");
            }
            if (recorder.Succeeded == 0 && options.Count > 0)
            {
                await output.WriteLineAsync("  nothing succeeded: every call failed (the error rows above say why); the run measured nothing");
            }
            return RunOutcome.ExitCode(invariants, recorder.Succeeded, options.Count);
        }

        /// <summary>Folders the warm-up is split over, per silo (see <see cref="WarmUpAsync"/>).</summary>
        private const int WarmUpFoldersPerSilo = 4;

        /// <summary>
        /// The same operations first, unmeasured and unchecked: a freshly started cluster spends its first
        /// seconds compiling (tier-0 JIT, then the optimizing tiers; in a cold 10,000-VM run about half the
        /// silos' CPU was the JIT), which a long-running service has done long before a flood of deployments.
        /// Split over <see cref="WarmUpFoldersPerSilo"/> folders per silo, run at once, so that every silo runs
        /// every grain kind's code (below).
        /// </summary>
        private static async Task WarmUpAsync(LoadOptions options, Preparation preparation, ITarget target, TextWriter progress)
        {
            var recorder = new Recorder();
            var folders = new List<string>();
            // Orleans places each folder's grains (folder, family, image, layer) on a silo of its choosing: with one
            // folder per silo, both landed on one silo in about half the runs, and the first second of the measured
            // folder, on the other, ran code that silo had never compiled (0 completions in it in 2 of 4 runs; none
            // in 4 runs with four folders per silo). Four per silo leave a silo without some grain kind's code in a
            // few runs in a hundred.
            var count = options.Silos * WarmUpFoldersPerSilo;
            // (N + k) / F over k < F adds up to N, the parts differing by one at most.
            var parts = Enumerable.Range(0, count).Select(k => (options.Warmup + k) / count).Where(n => n > 0).ToList();
            var warmUps = new List<Task>();
            foreach (var part in parts)
            {
                var folderId = await preparation.CreateFolderAsync(part);
                var image = await preparation.PublishAsync(folderId, options.Family);
                folders.Add(folderId);
                var warm = new Scenarios(options with { Count = part }, target, folderId, Guid.NewGuid().ToString("N")[..6]);
                var concurrency = Math.Max(1, options.Concurrency / parts.Count);
                warmUps.Add(options.Scenario == "images" ? warm.ImagesAsync(recorder, image, concurrency) : warm.DeployAsync(recorder, concurrency));
            }
            await Task.WhenAll(warmUps);
            await progress.WriteLineAsync($"warm-up: {recorder.Succeeded} of {options.Warmup} in {recorder.Seconds:F1} s in folder(s) {string.Join(", ", folders)}, not measured");
        }

        private static HttpClient Client(Uri gateway, string token, int concurrency)
        {
            var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = Math.Max(16, concurrency) })
            {
                BaseAddress = gateway,
                Timeout = TimeSpan.FromMinutes(2),
            };
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
            return http;
        }

        /// <summary>
        /// Samples the progress until the run ends, or is given up (<paramref name="abandoned"/>: a process of the
        /// cluster lost, a signal): the tool then says why and stops the cluster, and a progress line after that (a
        /// trial saw one) read as if the run went on.
        /// </summary>
        private static async Task ShowProgressAsync(Recorder recorder, int total, ProgressDisplay display, Func<bool> abandoned, CancellationToken stop)
        {
            var last = (Time: 0.0, Done: 0);
            while (!stop.IsCancellationRequested)
            {
                await Task.Delay(ProgressDisplay.SampleInterval, stop).ContinueWith(_ => { }, TaskScheduler.Default);
                if (abandoned())
                {
                    return;
                }
                var done = recorder.Succeeded + recorder.Failed;
                var now = recorder.Seconds;
                var rate = (done - last.Done) / Math.Max(now - last.Time, 0.001);
                last = (now, done);
                await display.ShowAsync(now, done, total, rate, recorder.Failed, recorder.Latency().P99);
            }
            await display.FinishAsync();
        }
    }
}
