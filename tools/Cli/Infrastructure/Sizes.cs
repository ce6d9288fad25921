using System.Globalization;

namespace Stratum.Cli.Infrastructure;

/// <summary>Sizes as people type them: 512M, 10G, 1T (binary units; K, M, G, T, with an optional "B" or "iB"), or plain bytes.</summary>
internal static class Sizes
{
    public static long Parse(string text, string option)
    {
        var trimmed = text.Trim();
        var unit = trimmed.TrimStart('0', '1', '2', '3', '4', '5', '6', '7', '8', '9', '.');
        var number = trimmed[..^unit.Length];
        var shift = unit.ToUpperInvariant() switch
        {
            "" or "B" => 0,
            "K" or "KB" or "KIB" => 10,
            "M" or "MB" or "MIB" => 20,
            "G" or "GB" or "GIB" => 30,
            "T" or "TB" or "TIB" => 40,
            _ => -1,
        };
        if (shift < 0 || !decimal.TryParse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value))
        {
            throw new UsageException($"{option}: '{text}' is not a size (examples: 512M, 10G, 1T, or bytes).");
        }
        if (value == 0)
        {
            throw new UsageException($"{option}: a size of zero bytes is none; give one above zero (examples: 512M, 10G, 1T).");
        }
        var bytes = value * (1L << shift);
        if (bytes > long.MaxValue / 2)
        {
            throw new UsageException($"{option}: '{text}' is too large ({bytes:0} bytes; the service's limits are far below it).");
        }
        return bytes != decimal.Truncate(bytes)
            ? throw new UsageException($"{option}: '{text}' is not a whole number of bytes.")
            : (long)bytes;
    }

    public static string Format(long bytes)
    {
        string[] units = ["B", "KiB", "MiB", "GiB", "TiB"];
        double value = bytes;
        var unit = 0;
        while (value >= 1024 && unit < units.Length - 1)
        {
            value /= 1024;
            unit++;
        }
        return unit == 0 ? $"{bytes} B" : string.Create(CultureInfo.InvariantCulture, $"{value:0.#} {units[unit]}");
    }
}
