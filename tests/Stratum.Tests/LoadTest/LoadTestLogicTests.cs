using System.Text.Json.Nodes;
using Stratum.LoadTest;

namespace Stratum.Tests.LoadTest;

public sealed class LoadTestLogicTests
{
    [Theory]
    [InlineData(true, 10, 10, 0)]
    [InlineData(true, 3, 10, 0)]
    [InlineData(false, 10, 10, 1)]
    [InlineData(true, 0, 1500, 1)]
    [InlineData(true, 0, 0, 0)]
    public void A_run_ends_1_when_an_invariant_failed_or_nothing_succeeded(bool invariantsHold, int succeeded, int count, int exitCode)
    {
        // A trial's bulk run failed all 1500 creates and ended 0: the invariants hold on nothing.
        var invariants = new InvariantReport(invariantsHold, true, true, []);
        Assert.Equal(exitCode, RunOutcome.ExitCode(invariants, succeeded, count));
        Assert.Equal(succeeded == 0 && count > 0 ? 1 : 0, RunOutcome.ExitCode(null, succeeded, count));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public void An_error_message_is_shortened_to_one_line_without_splitting_a_character(int lead)
    {
        var message = new string('a', Report.ErrorMessageWidth - 3 + lead) + string.Concat(Enumerable.Repeat("\U0001F600", 10)) + "\nnext line";

        var shown = Report.Shorten(message);

        Assert.True(shown.Length <= Report.ErrorMessageWidth, shown);
        Assert.EndsWith("…", shown);
        Assert.False(char.IsHighSurrogate(shown[^2]), "a lone high surrogate before the ellipsis");
        Assert.DoesNotContain('\n', shown);
    }

    [Fact]
    public void Percentiles_are_nearest_rank()
    {
        var samples = Enumerable.Range(1, 100).Select(i => (double)i).ToList();
        Assert.Equal(50, Latency.Percentile(samples, 50));
        Assert.Equal(99, Latency.Percentile(samples, 99));
        Assert.Equal(100, Latency.Percentile(samples, 100));
        Assert.Equal(0, Latency.Percentile([], 99));
        Assert.Equal(new Latency(2, 3, 3, 3), Latency.Of([3, 1, 2]));
    }

    [Theory]
    [InlineData("deploy --count 10 --local", true)]
    [InlineData("images --count 10 --local", true)]
    [InlineData("bulk --folder fldaaaaaaaaaaaaaaaaa --batch 50", true)]
    [InlineData("bulk --local --batch 1000", true)]
    [InlineData("deploy", false)]
    [InlineData("deploy --count -1 --local", false)]
    [InlineData("deploy --kill-silo-at 5 --folder x", false)]
    [InlineData("deploy --count 10 --local --warmup 100", true)]
    [InlineData("images --count 10 --local --warmup 20", true)]
    [InlineData("deploy --folder fldaaaaaaaaaaaaaaaaa --warmup 100", false)]
    [InlineData("bulk --local --warmup 100", false)]
    [InlineData("fly --local", false)]
    [InlineData("lookup --local --target sideways", false)]
    [InlineData("deploy --local --telemetry off", true)]
    [InlineData("images --local --telemetry on", true)]
    [InlineData("deploy --local --silos 16 --layer-shards 64", true)]
    public void Options_are_checked(string line, bool valid)
    {
        var parse = () => LoadOptions.Parse(line.Split(' '));
        if (valid)
        {
            Assert.NotNull(parse());
        }
        else
        {
            Assert.Throws<ArgumentException>(parse);
        }
    }

    [Theory]
    [InlineData("deploy --count abc --local", "--count")]
    [InlineData("deploy --count 10 --concurrency 0 --local", "--concurrency")]
    public void A_bad_number_is_refused_naming_its_option(string line, string option)
    {
        var refusal = Assert.Throws<ArgumentException>(() => LoadOptions.Parse(line.Split(' ')));
        Assert.Equal($"{option} takes a positive whole number.", refusal.Message);
    }

    [Theory]
    [InlineData("deploy --count 10 --local --warmup -1", "--warmup takes a whole number, 0 or more.")]
    [InlineData("deploy --count 10 --local --count 20", "--count is given twice; give it once.")]
    // A trial found these ended in an unhandled exception (exit 134) or ran on with the cluster's only silo killed.
    [InlineData("deploy --local --silos 1 --kill-silo-at 2", "--kill-silo-at needs --silos 2 or more: with its only silo killed the cluster serves nothing.")]
    [InlineData("deploy --folder fld1 --gateway notaurl", "--gateway takes an http or https URL, such as http://127.0.0.1:8080, not 'notaurl'.")]
    [InlineData("deploy --folder fld1 --target client", "--target client without --local needs --storage (the cluster's storage connection string).")]
    [InlineData("deploy --local --count 10 --local", "--local is given twice; give it once.")]
    // A trial's --gateway beside --local was silently ignored; so would these be.
    [InlineData("deploy --local --gateway http://x", "--gateway names an existing cluster, and --local starts one of its own: give one or the other.")]
    [InlineData("deploy --folder fld1 --local", "--folder names an existing cluster, and --local starts one of its own: give one or the other.")]
    [InlineData("deploy --local --target client --storage UseDevelopmentStorage=true", "--storage names an existing cluster, and --local starts one of its own: give one or the other.")]
    [InlineData("deploy --local --cluster-id c1", "--cluster-id names an existing cluster, and --local starts one of its own: give one or the other.")]
    // A trial's --batch 1500 was accepted, then every call was refused (code 3) and the run still ended 0.
    [InlineData("bulk --local --batch 1001", "--batch takes at most 1000: the API's bulkCreate creates at most that many instances a call.")]
    [InlineData("deploy --local --telemetry yes", "--telemetry is on or off.")]
    [InlineData("deploy --folder fld1 --telemetry off", "--telemetry needs --local: it sets up the cluster the tool starts, not an existing one.")]
    // Found by trials: each of these was silently ignored, dropped or misread.
    [InlineData("deploy --folder fld1 --silos 3", "--silos needs --local: it sets up the cluster the tool starts, not an existing one.")]
    [InlineData("deploy --folder fld1 --layer-shards 2", "--layer-shards needs --local: it sets up the cluster the tool starts, not an existing one.")]
    [InlineData("deploy --folder fld1 --configuration Debug", "--configuration needs --local: it sets up the cluster the tool starts, not an existing one.")]
    [InlineData("lookup --local --batch 10", "--batch is for the bulk scenario: the instances of each bulkCreate call.")]
    [InlineData("deploy --folder --token t", "--folder needs a value.")]
    [InlineData("deploy --folder= --token t", "--folder needs a value.")]
    [InlineData("fly --local", "The first argument is the scenario: deploy, bulk, lookup, mixed or images, not 'fly'.")]
    [InlineData("deploy --local --silos 17", "--silos takes 1 to 16.")]
    [InlineData("deploy --local --silos 100000", "--silos takes 1 to 16.")]
    [InlineData("deploy --local --silos 0", "--silos takes 1 to 16.")]
    [InlineData("deploy --local --layer-shards 65", "--layer-shards takes 1 to 64.")]
    [InlineData("deploy --folder fld1 --gateway http://u:p@127.0.0.1:8080", "--gateway takes no user name or password in its URL: the tool authenticates with --token.")]
    [InlineData("deploy --local --kill-silo-at Infinity", "--kill-silo-at takes seconds, 0 to 86400.")]
    [InlineData("deploy --local --kill-silo-at NaN", "--kill-silo-at takes seconds, 0 to 86400.")]
    [InlineData("deploy --local --kill-silo-at 1e7", "--kill-silo-at takes seconds, 0 to 86400.")]
    [InlineData("deploy --folder fld1 --gateway http://127.0.0.1:8080/v1", "--gateway is the gateway's root URL, such as http://127.0.0.1:8080, without a path or query, not 'http://127.0.0.1:8080/v1'.")]
    [InlineData("deploy --folder fld1 --gateway http://127.0.0.1:8080?x=1", "--gateway is the gateway's root URL, such as http://127.0.0.1:8080, without a path or query, not 'http://127.0.0.1:8080?x=1'.")]
    public void A_bad_or_repeated_option_is_refused_naming_it(string line, string message)
    {
        var refusal = Assert.Throws<ArgumentException>(() => LoadOptions.Parse(line.Split(' ')));
        Assert.Equal(message, refusal.Message);
    }

    [Fact]
    public void An_option_takes_its_value_after_an_equals_sign_too()
    {
        var options = LoadOptions.Parse(["deploy", "--count=5", "--folder=fld1", "--gateway=http://127.0.0.1:9090/", "--token=a=b"]);

        Assert.Equal((5, "fld1", "http://127.0.0.1:9090/", "a=b"), (options.Count, options.Folder, options.Gateway, options.Token));
        Assert.Equal("--count is given twice; give it once.", Assert.Throws<ArgumentException>(() => LoadOptions.Parse(["deploy", "--local", "--count=5", "--count", "6"])).Message);
    }

    [Fact]
    public void Every_second_of_the_run_has_a_row_even_without_completions()
    {
        // A trial's silo kill stalled seconds 5 to 9: the series jumped from 4 to 10, hiding the stall it is for.
        var perSecond = Recorder.PerSecond([(1.2, 10), (1.5, 30), (4.9, 20)]);

        Assert.Equal([(0, 0, 0.0), (1, 2, 30.0), (2, 0, 0.0), (3, 0, 0.0), (4, 1, 20.0)], perSecond);
        Assert.Empty(Recorder.PerSecond([]));
    }

    [Fact]
    public async Task A_usage_error_is_one_line_that_points_at_help()
    {
        var output = new StringWriter();
        var progress = new StringWriter();

        var exit = await LoadTestProgram.RunAsync(["deploy", "--count", "0"], output, progress);

        Assert.Equal(2, exit);
        Assert.Equal("--count takes a positive whole number. (--help lists the options)" + Environment.NewLine, progress.ToString());
        Assert.Empty(output.ToString());
    }

    [Fact]
    public void An_empty_value_is_a_missing_one()
    {
        // A trial's --folder "" reached the gateway, which answered 404 for a folder named "".
        Assert.Equal("--folder needs a value.", Assert.Throws<ArgumentException>(() => LoadOptions.Parse(["deploy", "--folder", ""])).Message);
    }

    [Theory]
    [InlineData("--help")]
    [InlineData("-h")]
    [InlineData("deploy --local --help")]
    public async Task Help_prints_the_usage_and_succeeds(string line)
    {
        // A trial's --help ended 2, after an error line saying the first argument is the scenario.
        var output = new StringWriter();
        var progress = new StringWriter();

        var exit = await LoadTestProgram.RunAsync(line.Split(' '), output, progress);

        Assert.Equal(0, exit);
        Assert.Equal(LoadOptions.Usage + Environment.NewLine, output.ToString());
        Assert.Empty(progress.ToString());
    }

    [Fact]
    public void A_warmup_of_zero_is_none()
    {
        Assert.Equal(0, LoadOptions.Parse(["deploy", "--local", "--warmup", "0"]).Warmup);
        // Without --local a warm-up is refused, but zero asks for none.
        Assert.Equal(0, LoadOptions.Parse(["deploy", "--folder", "fldaaaaaaaaaaaaaaaaa", "--warmup", "0"]).Warmup);
    }

    [Fact]
    public void Images_are_created_sixteen_at_a_time_unless_told()
    {
        Assert.Equal(16, LoadOptions.Parse(["images", "--local"]).Concurrency);
        Assert.Equal(4, LoadOptions.Parse(["images", "--local", "--concurrency", "4"]).Concurrency);
        Assert.Equal(64, LoadOptions.Parse(["deploy", "--local"]).Concurrency);
    }

    private static JsonNode Image(string id, string name, string status = "READY", long size = 10) =>
        new JsonObject { ["id"] = id, ["name"] = name, ["status"] = status, ["storageSize"] = size.ToString(System.Globalization.CultureInfo.InvariantCulture) };

    [Fact]
    public void Image_invariants_hold_for_exactly_the_acknowledged_ready_images_and_catch_a_duplicate_and_wrong_usage()
    {
        List<JsonNode> images = [Image("src", "source"), Image("i1", "lt-r-img-1"), Image("i2", "lt-r-img-2")];
        List<JsonNode> quotas = [Quota("compute.images.count", 3), Quota("compute.images.size", 30)];
        var exact = Invariants.EvaluateImages(images, [], quotas, new Dictionary<string, long>(), "lt-r-img-", ["i1", "i2"]);
        Assert.True(exact.AllHold, string.Join("; ", exact.Violations));

        // A retry that made a second image, one not READY, and usage that counts neither right.
        images.Add(Image("i3", "lt-r-img-1", "CREATING"));
        var broken = Invariants.EvaluateImages(images, [], quotas, new Dictionary<string, long>(), "lt-r-img-", ["i1", "i2"]);
        Assert.False(broken.InstancesExact);
        Assert.False(broken.QuotaExact);
        Assert.Contains(broken.Violations, v => v.Contains("i3", StringComparison.Ordinal));
    }

    private static JsonNode Instance(string id, string disk) => new JsonObject { ["id"] = id, ["bootDisk"] = new JsonObject { ["diskId"] = disk } };
    private static JsonNode Disk(string id, string? layer) => new JsonObject { ["id"] = id, ["size"] = "10", ["layerId"] = layer };
    private static JsonNode Quota(string name, long usage) => new JsonObject { ["name"] = name, ["usage"] = usage.ToString() };
    private static List<JsonNode> Quotas(long instances, long disks, long size) =>
        [Quota("compute.instances.count", instances), Quota("compute.disks.count", disks), Quota("compute.disks.size", size)];

    [Fact]
    public void Invariants_hold_for_an_exact_folder()
    {
        var report = Invariants.Evaluate([Instance("i1", "d1"), Instance("i2", "d2")], [Disk("d1", "L"), Disk("d2", "L")], [JsonNode.Parse("""{"layerId":"L"}""")!],
            Quotas(2, 2, 20), new Dictionary<string, long> { ["L"] = 3 }, 2, ["i1", "i2"]);
        Assert.True(report.AllHold, string.Join("; ", report.Violations));
    }

    [Fact]
    public void A_layer_also_held_in_other_folders_is_judged_by_the_folder_s_share_read_before_the_run()
    {
        // Before: the folder's image holds L, and 31 references (another folder's image and disks) are elsewhere.
        var elsewhere = Invariants.Elsewhere(new Dictionary<string, long> { ["L"] = 32 }, [JsonNode.Parse("""{"layerId":"L"}""")!]);
        var disks = new List<JsonNode> { Disk("d1", "L"), Disk("d2", "L") };
        var image = JsonNode.Parse("""{"layerId":"L"}""")!;

        // After two VMs the layer counts 34: exact, though the folder alone holds 3.
        var exact = Invariants.Evaluate([Instance("i1", "d1"), Instance("i2", "d2")], disks, [image], Quotas(2, 2, 20),
            Invariants.InFolder(new Dictionary<string, long> { ["L"] = 34 }, elsewhere), 2, ["i1", "i2"]);
        var leaked = Invariants.Evaluate([Instance("i1", "d1"), Instance("i2", "d2")], disks, [image], Quotas(2, 2, 20),
            Invariants.InFolder(new Dictionary<string, long> { ["L"] = 35 }, elsewhere), 2, ["i1", "i2"]);

        Assert.Equal(31, elsewhere["L"]);
        Assert.True(exact.AllHold, string.Join("; ", exact.Violations));
        Assert.False(leaked.RefCountExact);
    }

    [Fact]
    public void A_folder_that_already_held_vms_is_judged_on_what_the_run_added()
    {
        // A trial's second run in a folder reported "22 disks exist for 10 instances": the folder held an earlier run's VMs and a spare disk.
        var before = new HashSet<string> { "i0", "d0", "spare" };
        List<JsonNode> instances = [Instance("i0", "d0"), Instance("i1", "d1"), Instance("i2", "d2")];
        List<JsonNode> disks = [Disk("d0", "L"), Disk("spare", null), Disk("d1", "L"), Disk("d2", "L")];
        var layers = new Dictionary<string, long> { ["L"] = 3 };

        var exact = Invariants.Evaluate(instances, disks, [], Quotas(3, 4, 40), layers, 2, ["i1", "i2"], before);
        var leaked = Invariants.Evaluate(instances, [.. disks, Disk("d3", null)], [], Quotas(3, 5, 50), layers, 2, ["i1", "i2"], before);

        Assert.True(exact.AllHold, string.Join("; ", exact.Violations));
        Assert.False(leaked.InstancesExact);
        Assert.Equal(["the run added 3 disks for 2 instances"], leaked.Violations);
    }

    [Fact]
    public void A_lost_instance_a_miscount_and_wrong_usage_are_each_caught()
    {
        var report = Invariants.Evaluate([Instance("i1", "d1")], [Disk("d1", "L")], [],
            Quotas(2, 1, 10), new Dictionary<string, long> { ["L"] = 2 }, 2, ["i1", "i2"]);
        Assert.False(report.InstancesExact);
        Assert.False(report.RefCountExact);
        Assert.False(report.QuotaExact);
        Assert.Contains(report.Violations, v => v.Contains("i2"));
    }

    [Fact]
    public async Task The_report_is_written_as_json_and_an_svg_chart()
    {
        var recorder = new Recorder();
        recorder.Success(10);
        recorder.Success(30, items: 2);
        recorder.Failure(new CallFailure("8", "quota exceeded"));
        var report = new Report("deploy", "gateway", 4, recorder.Succeeded, recorder.Failed, recorder.ErrorsByCode, 1.5, 2, recorder.Latency(),
            new InvariantReport(true, true, true, []), 200, 100, 0.4, FirstErrorByCode: recorder.FirstMessageByCode);
        var directory = Directory.CreateTempSubdirectory().FullName;

        await report.WriteAsync(directory, recorder.PerSecond());

        var json = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(directory, "report.json")))!;
        Assert.Equal(3, json["succeeded"]!.GetValue<int>());
        Assert.Equal(1, json["errorsByCode"]!["8"]!.GetValue<int>());
        Assert.Equal("quota exceeded", json["firstErrorByCode"]!["8"]!.GetValue<string>());
        Assert.Equal(30, json["latencyMs"]!["p99"]!.GetValue<double>());
        Assert.True(json["invariants"]!["refCountExact"]!.GetValue<bool>());
        Assert.Equal(0.4, json["storageRequestsPerVm"]!.GetValue<double>());
        var svg = await File.ReadAllTextAsync(Path.Combine(directory, "chart.svg"));
        Assert.StartsWith("<svg", svg);
        Assert.Contains("polyline", svg);
        Assert.Contains("succeeded", report.Table());
    }

    [Fact]
    public void The_summary_shows_each_error_code_s_first_message_on_one_shortened_line()
    {
        var recorder = new Recorder();
        recorder.Failure(new CallFailure("3", "count 1500 is out of range:\n  1 to 1000 instances per call."), items: 1500);
        recorder.Failure(new CallFailure("3", "a later message of the same code"));
        recorder.Failure(new CallFailure("8", new string('x', 300)));
        var report = new Report("bulk", "gateway", 1500, 0, recorder.Failed, recorder.ErrorsByCode, 1, 0, recorder.Latency(), null, null, null, null,
            FirstErrorByCode: recorder.FirstMessageByCode);

        var lines = report.Table().Split(Environment.NewLine);

        Assert.Contains(lines, l => l.Contains("failed") && l.EndsWith("1502 (3: 1501, 8: 1)", StringComparison.Ordinal));
        Assert.EndsWith("count 1500 is out of range: 1 to 1000 instances per call.", Assert.Single(lines, l => l.TrimStart().StartsWith("error 3", StringComparison.Ordinal)));
        Assert.EndsWith(" " + new string('x', Report.ErrorMessageWidth - 1) + "…", Assert.Single(lines, l => l.TrimStart().StartsWith("error 8", StringComparison.Ordinal)));
    }
}
