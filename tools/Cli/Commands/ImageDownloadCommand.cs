using Stratum.Cli.Transfers;

namespace Stratum.Cli.Commands;

internal sealed class DownloadSettings : IdSettings
{
    [CommandOption("--to <PATH>")]
    [Description("Where to write the image's bytes.")]
    public string? To { get; init; }

    [CommandOption("--force")]
    [Description("Replace PATH if it exists.")]
    public bool Force { get; init; }

    [CommandOption("--limit-rate <SIZE>")]
    [Description("Download at most this many bytes per second (e.g. 50M).")]
    public string? LimitRate { get; init; }

    public override ValidationResult Validate() => To is null ? ValidationResult.Error("--to PATH is required.") : base.Validate();
}

[Description("Download an image's bytes through an export URL: resumable (PATH.partial), verified against its sha256.")]
internal sealed class ImageDownloadCommand(CliEnvironment environment) : ApiCommand<DownloadSettings>(environment)
{
    public override async Task<int> ExecuteAsync(CommandContext context, DownloadSettings settings, CancellationToken cancellation)
    {
        var path = Path.GetFullPath(settings.To!);
        if (Directory.Exists(path) || !Directory.Exists(Path.GetDirectoryName(path)))
        {
            throw new UsageException($"--to: '{path}' must name a file in an existing folder.");
        }
        if (File.Exists(path) && !settings.Force)
        {
            throw new UsageException($"--to: '{path}' exists; add --force to replace it.");
        }
        var rate = new RateLimit(settings.LimitRate is null ? null : Sizes.Parse(settings.LimitRate, "--limit-rate"));
        using var api = Api(settings);
        var export = await api.PostAsync($"{Images.Path}/{Uri.EscapeDataString(settings.Id)}:export", new JsonObject(), cancellation);
        var size = long.Parse(export["size"]!.ToString(), System.Globalization.CultureInfo.InvariantCulture);
        var checksum = export["checksum"]?.GetValue<string>();
        using var http = new HttpClient(Environment.Handler()) { Timeout = TimeSpan.FromMinutes(10) };
        var result = await TransferProgress().StartAsync(async progress =>
        {
            var task = progress.AddTask($"Downloading {Markup.Escape(settings.Id)}", maxValue: Math.Max(1, size));
            return await Downloader.DownloadAsync(http, export["url"]!.GetValue<string>(), size, checksum, path, settings.Force, bytes => task.Increment(bytes), rate, cancellation);
        });
        var summary = new JsonObject
        {
            ["imageId"] = settings.Id, ["path"] = path, ["size"] = size.ToString(System.Globalization.CultureInfo.InvariantCulture), ["checksum"] = checksum,
            ["format"] = export["format"]?.DeepClone(), ["bytesFetched"] = result.BytesFetched.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["bytesResumed"] = result.BytesResumed.ToString(System.Globalization.CultureInfo.InvariantCulture), ["verified"] = checksum is not null,
        };
        Print(settings, summary);
        return ExitCodes.Ok;
    }
}
