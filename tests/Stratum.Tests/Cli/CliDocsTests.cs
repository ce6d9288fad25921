using System.Reflection;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Spectre.Console.Cli;
using Spectre.Console.Cli.Testing;
using Spectre.Console.Testing;
using Stratum.Cli;
using Stratum.Cli.Infrastructure;
using Stratum.Tests.Infrastructure;

namespace Stratum.Tests.Cli;

/// <summary>
/// docs/cli.md against the command tree the tool really has (read from Spectre's own model, `cli xmldoc`):
/// every command has its section headed by its command line, every option a command takes is named in that section, the options
/// every command takes and the exit codes are described, and no section describes a command that is gone.
/// </summary>
public sealed partial class CliDocsTests
{
    private static string Docs => File.ReadAllText(Path.Combine(Azurite.RepositoryRoot(), "docs", "cli.md"));

    [Fact]
    public async Task Every_command_has_a_section_naming_each_of_its_options()
    {
        var docs = Docs;
        var commands = await CommandsAsync();
        Assert.True(commands.Count >= 30, $"only {commands.Count} commands in the model");
        var global = GlobalOptions();
        foreach (var (path, (arguments, options)) in commands)
        {
            var section = Section(docs, path);
            Assert.True(section is not null, $"docs/cli.md has no section \"### `stratum {path} …`\"");
            // The heading shows the command line: "### `stratum quota set NAME LIMIT`".
            var usage = $"`stratum {path}" + string.Concat(arguments.Select(a => " " + a));
            Assert.True(section.StartsWith($"### {usage}`", StringComparison.Ordinal) || section.StartsWith($"### {usage} ", StringComparison.Ordinal),
                $"the heading of `stratum {path}` does not show its arguments as {usage}`");
            foreach (var option in options.Except(global))
            {
                Assert.True(Regex.IsMatch(section, $@"`{Regex.Escape(option)}[ `=]"), $"the section of `stratum {path}` does not describe {option}");
            }
        }
    }

    [Fact]
    public async Task Every_section_describes_a_command_the_tool_has()
    {
        var commands = (await CommandsAsync()).Keys.ToHashSet(StringComparer.Ordinal);
        var documented = CommandHeading().Matches(Docs).Select(m => m.Groups["path"].Value).ToList();
        Assert.NotEmpty(documented);
        Assert.All(documented, path => Assert.True(commands.Contains(path), $"docs/cli.md describes `stratum {path}`, which the tool does not have"));
    }

    [Fact]
    public void The_options_every_command_takes_and_the_exit_codes_are_described()
    {
        var global = Section(Docs, "options") ?? throw new Xunit.Sdk.XunitException("docs/cli.md has no \"## Options every command takes\"");
        foreach (var option in GlobalOptions())
        {
            Assert.Contains($"`{option}", global, StringComparison.Ordinal);
        }
        var exitCodes = Section(Docs, "exit codes") ?? throw new Xunit.Sdk.XunitException("docs/cli.md has no \"## Exit codes\"");
        foreach (var code in typeof(ExitCodes).GetFields().Where(f => f.IsLiteral).Select(f => (int)f.GetRawConstantValue()!))
        {
            Assert.Contains($"| {code} |", exitCodes, StringComparison.Ordinal);
        }
    }

    /// <summary>Each command's path ("quota set"), its arguments in order ("NAME", "LIMIT") and the long options it takes ("--file").</summary>
    private static async Task<Dictionary<string, (List<string> Arguments, List<string> Options)>> CommandsAsync()
    {
        var output = new TestConsole().Width(250);
        var environment = new CliEnvironment(output, new TestConsole(), new Dictionary<string, string>(), Path.GetTempPath());
        var registrar = new TypeRegistrar();
        registrar.RegisterInstance(typeof(CliEnvironment), environment);
        var tester = new CommandAppTester(registrar, new CommandAppTesterSettings(), output);
        tester.Configure(config => CliApp.Configure(config, environment));
        var result = await tester.RunAsync(["cli", "xmldoc"]);
        Assert.Equal(0, result.ExitCode);
        var model = XDocument.Parse(output.Output.TrimStart('\uFEFF'));
        return model.Descendants("Command").Where(c => (string?)c.Attribute("IsBranch") == "false").ToDictionary(
            c => string.Join(' ', c.AncestorsAndSelf("Command").Reverse().Select(a => (string)a.Attribute("Name")!)),
            c => (c.Elements("Parameters").Elements("Argument").OrderBy(a => (int)a.Attribute("Position")!).Select(a => (string)a.Attribute("Name")!).ToList(),
                  c.Elements("Parameters").Elements("Option").Select(o => "--" + (string)o.Attribute("Long")!).ToList()),
            StringComparer.Ordinal);
    }

    private static List<string> GlobalOptions() => [.. typeof(GlobalSettings).GetProperties()
        .SelectMany(p => p.GetCustomAttribute<CommandOptionAttribute>()?.LongNames ?? [])
        .Select(name => "--" + name)];

    /// <summary>The text from the heading naming <paramref name="what"/> ("### `stratum image create`", "## Exit codes") to the next heading of its level or above.</summary>
    private static string? Section(string docs, string what)
    {
        var lines = docs.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var heading = Heading().Match(lines[i]);
            if (!heading.Success || !Names(heading.Groups["title"].Value, what))
            {
                continue;
            }
            var level = heading.Groups["hashes"].Length;
            var end = Array.FindIndex(lines, i + 1, l => Heading().Match(l) is { Success: true } h && h.Groups["hashes"].Length <= level);
            return string.Join('\n', lines[i..(end < 0 ? lines.Length : end)]);
        }
        return null;
    }

    private static bool Names(string title, string what) =>
        CommandHeading().Match("### " + title) is { Success: true } command ? command.Groups["path"].Value == what : title.StartsWith(what, StringComparison.OrdinalIgnoreCase);

    [GeneratedRegex(@"^(?<hashes>#+) (?<title>.+)$")]
    private static partial Regex Heading();

    // "### `stratum image create`", also with arguments after the path: "### `stratum image get ID`".
    [GeneratedRegex(@"^### `stratum (?<path>[a-z-]+(?: [a-z-]+)*)(?: [A-Z][^`]*)?`", RegexOptions.Multiline)]
    private static partial Regex CommandHeading();
}
