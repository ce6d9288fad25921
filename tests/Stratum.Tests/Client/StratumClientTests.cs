using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Stratum.Changes;
using Stratum.Client;
using Stratum.LoadTest;
using Stratum.Seed;
using Stratum.Tests.Infrastructure;

namespace Stratum.Tests.Client;

/// <summary>Stratum.Client as another .NET service uses it, against silo processes it reaches through their membership table.</summary>
[Collection(ClientPackageCollection.Name)]
public sealed class StratumClientTests(ClientPackageFixture fixture)
{
    [Fact]
    public async Task The_README_sample_builds_from_the_packages_outside_the_repository_and_runs()
    {
        var root = LocalCluster.RepositoryRoot();
        var sample = ReadmeSample(await File.ReadAllTextAsync(Path.Combine(root, "README.md")));
        Assert.True(sample.Split('\n').Length <= 30, $"the README's sample has {sample.Split('\n').Length} lines");

        var version = $"0.1.0-test.{DateTime.UtcNow:yyyyMMddHHmmss}.{Guid.NewGuid().ToString("N")[..6]}";
        var work = Directory.CreateTempSubdirectory("stratum-client-sample-").FullName;
        var feed = Path.Combine(work, "packages");
        try
        {
            foreach (var project in new[] { "src/Abstractions/Stratum.Abstractions.csproj", "src/Security/Stratum.Security.csproj", "src/Client/Stratum.Client.csproj" })
            {
                await DotnetCommands.RunAsync("dotnet", ["pack", Path.Combine(root, project), "--no-build", "-c", ClientPackageFixture.Configuration, "-o", feed, $"-p:Version={version}"], root);
            }
            var app = Path.Combine(work, "app");
            Directory.CreateDirectory(app);
            // A plain console project: no Directory.Build.props or central package versions reach it.
            await File.WriteAllTextAsync(Path.Combine(app, "Sample.csproj"), $"""
                <Project Sdk="Microsoft.NET.Sdk">
                  <PropertyGroup>
                    <OutputType>Exe</OutputType>
                    <TargetFramework>net10.0</TargetFramework>
                    <Nullable>enable</Nullable>
                    <ImplicitUsings>enable</ImplicitUsings>
                  </PropertyGroup>
                  <ItemGroup>
                    <PackageReference Include="Stratum.Client" Version="{version}" />
                  </ItemGroup>
                </Project>
                """);
            await File.WriteAllTextAsync(Path.Combine(app, "nuget.config"), $"""
                <?xml version="1.0" encoding="utf-8"?>
                <configuration>
                  <packageSources>
                    <add key="stratum-local" value="{feed}" />
                  </packageSources>
                </configuration>
                """);
            await File.WriteAllTextAsync(Path.Combine(app, "Program.cs"), sample
                .Replace("\"stratum-dev\"", $"\"{fixture.Cluster.ClusterId}\"", StringComparison.Ordinal)
                .Replace("\"UseDevelopmentStorage=true\"", $"\"{fixture.Cluster.Storage}\"", StringComparison.Ordinal));

            var output = await DotnetCommands.RunAsync("dotnet", ["run", "--project", app], app, ("DOTNET_ENVIRONMENT", "Development"));

            var newest = StandardImages.Images.Last(i => i.Family == "debian-12").Name;
            Assert.Contains($"userAccount:alice resolves debian-12 to {newest} (img", output);
            Assert.Contains($"userAccount:bob sees {StandardImages.Images.Count} standard images", output);
        }
        finally
        {
            Directory.Delete(work, recursive: true);
            DotnetCommands.ForgetPackages(version, "stratum.client", "stratum.abstractions", "stratum.security");
        }
    }

    [Fact]
    public async Task A_service_acts_as_its_token_and_for_a_forwarded_one()
    {
        await using var host = await fixture.ConnectAsync(fixture.Cluster.TokenFor(Caller.Service("reporting")));
        var stratum = host.Stratum;

        Assert.Equal(Caller.Service("reporting"), await stratum.WhoAmIAsync());
        var page = await stratum.Images.ListAsync(await stratum.WhoAmIAsync(), StandardImages.FolderId, new ListQuery());
        Assert.Equal(StandardImages.Images.Count, page.Items.Count);
        using (StratumClient.ActAs("dev-bob"))
        {
            Assert.Equal(Caller.User("bob"), await stratum.WhoAmIAsync());
            // Acting for bob, the service cannot name itself.
            var named = await Assert.ThrowsAsync<StratumException>(() => stratum.Images.ListAsync(Caller.Service("reporting"), StandardImages.FolderId, new ListQuery()));
            Assert.Equal(ErrorCode.PermissionDenied, named.Code);
        }
        Assert.Equal(Caller.Service("reporting"), await stratum.WhoAmIAsync());
    }

    [Fact]
    public async Task Latest_is_served_from_the_client_cache_and_a_writer_reads_its_own_change()
    {
        await using var host = await fixture.ConnectAsync("dev-admin");
        var stratum = host.Stratum;
        var cache = host.Services.GetRequiredService<LatestCache>();
        var admin = await stratum.WhoAmIAsync();
        var (newest, older) = (StandardImages.Images.Last(i => i.Family == "ubuntu-2404").Name, StandardImages.Images.First(i => i.Family == "ubuntu-2404").Name);
        // The first pulse crosses an Azure queue from another process: on a loaded CI machine it took over 30 s once.
        await Wait.UntilAsync(() => Task.FromResult(cache.IsFresh), 90, "the client's cache hearing the change feed");

        var latest = await stratum.GetLatestByFamilyAsync(StandardImages.FolderId, "ubuntu-2404");
        Assert.Equal(newest, latest.Name);
        var fetches = cache.Fetches;
        Assert.Equal(latest.Id, (await stratum.GetLatestByFamilyAsync(StandardImages.FolderId, "ubuntu-2404")).Id);
        Assert.Equal(fetches, cache.Fetches);

        try
        {
            await stratum.WaitAsync(await stratum.Image(latest.Id).DeprecateAsync(admin, new DeprecateRequest(DeprecationState.Deprecated, null), null));
            // The very next read: this client saw its own change, so it skips its cache and the silo's.
            Assert.Equal(older, (await stratum.GetLatestByFamilyAsync(StandardImages.FolderId, "ubuntu-2404")).Name);
        }
        finally
        {
            await stratum.WaitAsync(await stratum.Image(latest.Id).DeprecateAsync(admin, new DeprecateRequest(DeprecationState.Active, null), null));
        }
    }

    [Fact]
    public async Task A_token_the_cluster_refuses_stops_the_start_and_no_token_is_served_nothing()
    {
        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => fixture.ConnectAsync("dev-nobody", o => o.ChangeFeed = false));
        Assert.Contains("Stratum:Client:Token", refused.Message);

        await using var host = await fixture.ConnectAsync(null, o => o.ChangeFeed = false);
        var stratum = host.Stratum;
        Assert.Equal(ErrorCode.Unauthenticated, (await Assert.ThrowsAsync<StratumException>(stratum.WhoAmIAsync)).Code);
        var call = await Assert.ThrowsAsync<StratumException>(() => stratum.Images.ListAsync(Caller.User("admin"), StandardImages.FolderId, new ListQuery()));
        Assert.Equal(ErrorCode.Unauthenticated, call.Code);
    }

    /// <summary>The first C# block of the README's section on other .NET services.</summary>
    private static string ReadmeSample(string readme)
    {
        var section = readme[readme.IndexOf("## Using Stratum from another .NET service", StringComparison.Ordinal)..];
        var match = Regex.Match(section, "```csharp\n(.*?)```", RegexOptions.Singleline);
        Assert.True(match.Success, "the README has no C# sample for other .NET services");
        return match.Groups[1].Value;
    }
}
