using System.Text.RegularExpressions;
using Stratum.Import.Inspection;

namespace Stratum.Tests.Inspection;

/// <summary>Runs the inspector over a file as a stream would deliver it, and reads a refusal's rule.</summary>
public static partial class Inspect
{
    /// <summary>The verdict on <paramref name="file"/>, fed in chunks of <paramref name="chunk"/> bytes (uneven ones by default).</summary>
    public static InspectedImage File(byte[] file, ImageFormat? expected = null, int? chunk = null)
    {
        var inspector = new FormatInspector(expected);
        var random = new Random(file.Length);
        for (var at = 0; at < file.Length;)
        {
            var size = Math.Min(file.Length - at, chunk ?? random.Next(1, 200_000));
            inspector.Write(file.AsSpan(at, size));
            at += size;
        }
        return inspector.Complete();
    }

    /// <summary>The rule and message of the refusal of <paramref name="file"/>; fails the test if it is accepted.</summary>
    public static (string Rule, string Message) Refusal(byte[] file, ImageFormat? expected = null, int? chunk = null)
    {
        var error = Assert.Throws<StratumException>(() => File(file, expected, chunk));
        Assert.Equal(ErrorCode.InvalidArgument, error.Code);
        return (RuleOf(error.Message), error.Message);
    }

    /// <summary>The rule a refusal message names.</summary>
    public static string RuleOf(string message) => RulePattern().Match(message) is { Success: true } match
        ? match.Groups[1].Value
        : throw new Xunit.Sdk.XunitException($"The message names no import rule: {message}");

    public static byte[] Fixture(string path) => System.IO.File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Fixtures", path));

    [GeneratedRegex("import rule '([a-z0-9-]+)'")]
    private static partial Regex RulePattern();
}
