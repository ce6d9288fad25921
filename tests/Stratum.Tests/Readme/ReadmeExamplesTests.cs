using System.Diagnostics;
using Stratum.Seed;
using Stratum.Tests.Infrastructure;

namespace Stratum.Tests.Readme;

/// <summary>
/// Runs the README's marked curl examples, in order, with the real curl against a started cluster:
/// ids from earlier answers put in for <c>fld…</c>, <c>img…</c>, <c>lyr…</c>, the cluster's address
/// for http://127.0.0.1:8080 and a loopback file server for the example's on port 9000. Each must
/// answer its documented status and result.
/// </summary>
public sealed class ReadmeExamplesTests
{
    private const string DocumentedGateway = "http://127.0.0.1:8080";
    private const string DocumentedFiles = "http://127.0.0.1:9000/";

    /// <summary>The example's set-up lines, which the test stands in for: it serves the same file from its own server.</summary>
    private static readonly string[] StoodInFor =
    [
        "mkdir -p /tmp/stratum-images && qemu-img create -f qcow2 /tmp/stratum-images/disk.qcow2 64M",
        "python3 -m http.server 9000 --bind 127.0.0.1 --directory /tmp/stratum-images & files=$!",
        "kill $files",
    ];

    private static string ReadmeText() => File.ReadAllText(Path.Combine(Azurite.RepositoryRoot(), "README.md"));

    [Fact]
    public void The_marked_examples_are_found_and_every_other_line_is_one_the_test_stands_in_for()
    {
        var (steps, others) = ReadmeExamples.Parse(ReadmeText());

        Assert.True(steps.Count >= 15, $"Only {steps.Count} curl examples were found between the README's markers.");
        // Nothing else runs unseen; among them, the file server serves one folder, on loopback only, and is stopped.
        Assert.Equal(StoodInFor, others);
        Assert.All(steps, s => Assert.StartsWith("curl -s", s.Command));
    }

    [Fact]
    public void Placeholders_match_ids_of_their_kind_and_ellipses_any_text()
    {
        var ids = ReadmeExamples.Match("""{"id":"opr…","done":true,"response":{"id":"fld…","name":"demo",…}}""",
            """{"id":"opr0123456789abcdefg","done":true,"response":{"id":"fldabcdefghijklmnopq","name":"demo","labels":{}}}""");

        Assert.Equal(new Dictionary<string, string> { ["opr"] = "opr0123456789abcdefg", ["fld"] = "fldabcdefghijklmnopq" }, ids);
        Assert.Null(ReadmeExamples.Match("""{"id":"img…",…}""", """{"id":"fld0123456789abcdefg"}"""));
        Assert.Null(ReadmeExamples.Match("""{"done":true,…}""", """{"done":false}"""));
        Assert.Equal(("curl x/fldabc", null), ReadmeExamples.Substitute("curl x/fld…", new Dictionary<string, string> { ["fld"] = "fldabc" }));
        Assert.Equal((null, "img…"), ReadmeExamples.Substitute("curl x/img…", new Dictionary<string, string>()));
    }

    [Fact]
    public async Task Every_marked_example_answers_as_documented()
    {
        var (steps, _) = ReadmeExamples.Parse(ReadmeText());
        await using var stratum = await StratumCluster.StartAsync();
        await using var files = await FileServer.StartAsync();
        files.Add("disk.qcow2", DiskImages.Qcow2(64 * DiskImages.MiB));
        var admin = Caller.User("admin");
        using (TestCallers.ActAs(admin))
        {
            await new StandardImages(stratum.Client, admin, TextWriter.Null).RunAsync();   // as the AppHost seeds
        }

        var gateway = stratum.BaseAddress.ToString().TrimEnd('/');
        var ids = new Dictionary<string, string>();
        foreach (var step in steps)
        {
            var (command, missing) = ReadmeExamples.Substitute(step.Command, ids);
            Assert.True(command is not null, $"{step}: no earlier result showed the {missing} it needs.");
            command = command!.Replace(DocumentedGateway, gateway, StringComparison.Ordinal)
                .Replace(DocumentedFiles, files.BaseAddress.ToString(), StringComparison.Ordinal);

            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (true)
            {
                var (status, body) = await CurlAsync(command, step.IsStream);
                var found = status == step.Status && step.Expected is not null ? ReadmeExamples.Match(step.Expected, body) : null;
                var ok = status == step.Status && (step.Expected is null || found is not null);
                if (ok)
                {
                    foreach (var (kind, id) in found ?? new Dictionary<string, string>())
                    {
                        ids[kind] = id;
                    }
                    break;
                }
                // Reads are polled, as a reader polls an operation until it is done; a mutation answers once.
                Assert.True(step.IsRead && DateTime.UtcNow < deadline,
                    $"{step}\n  ran: {command}\n  expected: {step.Status} {step.Expected}\n  got: {status} {Shorten(body)}");
                await Task.Delay(200);
            }
        }
    }

    private static string Shorten(string body) => body.Length <= 3000 ? body : body[..1500] + " … " + body[^1500..];

    /// <summary>Runs a command line with bash; curl writes the status after the body. A stream is cut after a few seconds.</summary>
    private static async Task<(int Status, string Body)> CurlAsync(string command, bool stream)
    {
        var options = "-w '\\n%{http_code}' " + (stream ? "-m 3 " : "");
        var start = new ProcessStartInfo("bash", ["-c", "curl " + options + command["curl ".Length..]])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var curl = Process.Start(start)!;
        var output = await curl.StandardOutput.ReadToEndAsync();
        await curl.WaitForExitAsync();
        var cut = output.LastIndexOf('\n');
        return (int.TryParse(output[(cut + 1)..], out var status) ? status : 0, cut < 0 ? "" : output[..cut]);
    }
}
