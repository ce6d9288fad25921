using System.Text.Json;

namespace Stratum.Cli.Infrastructure;

/// <summary>
/// The settings file (<c>config.json</c> in the config folder): endpoint, token, folder-id.
/// A flag beats an environment variable (<c>STRATUM_ENDPOINT</c>, ...), which beats the file.
/// </summary>
internal sealed class CliConfig(CliEnvironment environment)
{
    public static readonly IReadOnlyList<string> Keys = ["endpoint", "token", "folder-id"];

    public const string DefaultEndpoint = "http://127.0.0.1:8080";

    private string FilePath => Path.Combine(environment.ConfigDirectory, "config.json");

    public Dictionary<string, string> Load()
    {
        if (!File.Exists(FilePath))
        {
            return new(StringComparer.Ordinal);
        }
        try
        {
            return JsonSerializer.Deserialize<Dictionary<string, string>>(File.ReadAllText(FilePath)) ?? new(StringComparer.Ordinal);
        }
        catch (JsonException e)
        {
            throw new UsageException($"The config file {FilePath} is not valid JSON ({e.Message}); fix or delete it.");
        }
    }

    public void Set(string key, string value)
    {
        if (!Keys.Contains(key))
        {
            throw new UsageException($"Unknown setting '{key}': the settings are {string.Join(", ", Keys)}.");
        }
        var values = Load();
        values[key] = value;
        Directory.CreateDirectory(environment.ConfigDirectory);
        var json = new JsonObject();
        foreach (var (k, v) in values.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            json[k] = v;
        }
        var temporary = FilePath + ".tmp";
        File.WriteAllText(temporary, json.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        if (!OperatingSystem.IsWindows())
        {
            // It holds a token: readable by its owner only.
            File.SetUnixFileMode(temporary, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
        File.Move(temporary, FilePath, overwrite: true);
    }

    /// <summary>A setting's value and where it came from: flag, environment, file or default.</summary>
    public (string? Value, string Source) Resolve(string key, string? flag)
    {
        if (!string.IsNullOrEmpty(flag))
        {
            return (flag, "flag");
        }
        if (environment.Variable("STRATUM_" + key.Replace('-', '_').ToUpperInvariant()) is { } variable)
        {
            return (variable, "environment");
        }
        if (Load().TryGetValue(key, out var stored) && stored.Length > 0)
        {
            return (stored, "file");
        }
        return key == "endpoint" ? (DefaultEndpoint, "default") : (null, "unset");
    }

    public string Location => FilePath;
}
