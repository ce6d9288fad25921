using Stratum.LoadTest;
using Stratum.Tests.Client;
using Stratum.Tests.Infrastructure;

namespace Stratum.Tests.Cli;

/// <summary>
/// The README's way to install the CLI: pack tools/Cli into a folder, install the tool from it. In the
/// client package's collection, so its builds run after (not beside) that one's pack and sample build:
/// two at once starved the suite's timing-sensitive neighbours on 2 cores (an import's 2 s idle limit).
/// </summary>
[Collection(ClientPackageCollection.Name)]
public sealed class CliPackageTests
{
    [Fact]
    public async Task The_cli_packs_as_a_dotnet_tool_that_installs_and_runs()
    {
        var root = LocalCluster.RepositoryRoot();
        Assert.Contains("dotnet pack tools/Cli -o /tmp/stratum-cli && dotnet tool install --global --add-source /tmp/stratum-cli Stratum.Cli",
            await File.ReadAllTextAsync(Path.Combine(root, "README.md")));
        // A version of its own, so the machine's package cache cannot answer with an earlier build.
        var version = $"0.1.0-test.{DateTime.UtcNow:yyyyMMddHHmmss}.{Guid.NewGuid().ToString("N")[..6]}";
        var work = Directory.CreateTempSubdirectory("stratum-cli-package-").FullName;
        var (feed, tools) = (Path.Combine(work, "feed"), Path.Combine(work, "tools"));
        try
        {
            await DotnetCommands.RunAsync("dotnet", ["pack", Path.Combine(root, "tools", "Cli"), "--no-build", "-c", ClientPackageFixture.Configuration,
                "-o", feed, $"-p:Version={version}"], root);
            Assert.Single(Directory.GetFiles(feed, "Stratum.Cli.*.nupkg"));

            await DotnetCommands.RunAsync("dotnet", ["tool", "install", "--tool-path", tools, "--add-source", feed, "Stratum.Cli", "--version", version], work);
            var help = await DotnetCommands.RunAsync(Path.Combine(tools, OperatingSystem.IsWindows() ? "stratum.exe" : "stratum"), ["--help"], work);

            Assert.Contains("image", help);
        }
        finally
        {
            Directory.Delete(work, recursive: true);
            DotnetCommands.ForgetPackages(version, "stratum.cli");
        }
    }
}
