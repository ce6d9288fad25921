using System.Diagnostics;
using System.Text.Json.Nodes;
using Spectre.Console.Cli.Testing;
using Spectre.Console.Testing;
using Stratum.Cli;
using Stratum.Cli.Infrastructure;

namespace Stratum.Tests.Cli;

/// <summary>Runs `stratum` commands against a test gateway: in process through Spectre.Console.Cli.Testing, or as the built tool.</summary>
public sealed class CliRunner(Uri endpoint, string token = "dev-admin") : IDisposable
{
    public string ConfigDirectory { get; } = Directory.CreateTempSubdirectory("stratum-cli-").FullName;

    public sealed record Run(int ExitCode, string Output, string Error)
    {
        public JsonNode Json => JsonNode.Parse(Output) ?? throw new InvalidOperationException("no JSON: " + Output + Error);
    }

    /// <summary>A command through CommandAppTester; results on its console, errors and progress on another.</summary>
    public async Task<Run> RunAsync(IReadOnlyDictionary<string, string>? variables, params string[] args)
    {
        var output = new TestConsole().Width(250);
        var error = new TestConsole().Width(250);
        var environment = new CliEnvironment(output, error, variables ?? new Dictionary<string, string>(), ConfigDirectory);
        var registrar = new TypeRegistrar();
        registrar.RegisterInstance(typeof(CliEnvironment), environment);
        var tester = new CommandAppTester(registrar, new CommandAppTesterSettings(), output);
        tester.Configure(config => CliApp.Configure(config, environment));
        var result = await tester.RunAsync(WithConnection(args));
        return new Run(result.ExitCode, output.Output, error.Output);
    }

    public Task<Run> RunAsync(params string[] args) => RunAsync(null, args);

    /// <summary>The built tool as a real process (`dotnet stratum.dll`), its config folder given by STRATUM_CONFIG_DIR.</summary>
    public Process Start(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "stratum.dll"));
        foreach (var arg in WithConnection(args))
        {
            start.ArgumentList.Add(arg);
        }
        start.Environment["STRATUM_CONFIG_DIR"] = ConfigDirectory;
        return Process.Start(start)!;
    }

    public async Task<Run> RunProcessAsync(params string[] args)
    {
        using var process = Start(args);
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await process.WaitForExitAsync(timeout.Token);
        return new Run(process.ExitCode, await output, await error);
    }

    /// <summary>A file of random bytes (a raw disk, as the importer sees it) in the config folder, and its checksum.</summary>
    public async Task<(string Path, string Checksum)> RandomFileAsync(string name, long size)
    {
        var bytes = new byte[size];
        Random.Shared.NextBytes(bytes);
        bytes[0] = 0xEB;
        var path = Path.Combine(ConfigDirectory, name);
        await File.WriteAllBytesAsync(path, bytes);
        return (path, "sha256:" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes)));
    }

    /// <summary>Removes the config folder and the files the test made in it (uploads of 64 MiB add up).</summary>
    public void Dispose()
    {
        try
        {
            Directory.Delete(ConfigDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A process of the test may still hold a file; the temp folder is cleaned by the system.
        }
    }

    private string[] WithConnection(string[] args) =>
        args.Length > 0 && args[0] == "config" ? args : [.. args, "--endpoint", endpoint.ToString(), "--token", token];
}
