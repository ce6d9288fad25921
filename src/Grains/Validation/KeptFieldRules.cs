using System.Text.Json;
using System.Text.RegularExpressions;

namespace Stratum.Validation;

/// <summary>
/// Rules for the fields Stratum keeps and shows back without modelling them (an instance's zone,
/// platform, resources and metadata; a disk's zone and type). Only their shape is checked: no
/// zone or platform is looked up. The limits keep a resource's row within what one table
/// property holds (32,768 characters), with room for everything else in it.
/// </summary>
public static partial class KeptFieldRules
{
    public const int MaxIdLength = 50;
    public const int MaxMetadataEntries = 128;
    public const int MaxMetadataKeyLength = 128;

    /// <summary>The metadata's keys and values as stored (JSON-escaped), in characters.</summary>
    public const int MaxMetadataCharacters = 16384;

    /// <summary>A zone, platform or disk type id: 1 to 50 of [a-z0-9], '-', '_' and '.', starting with a letter or digit.</summary>
    public static void ProviderId(string? value, string field)
    {
        if (value is not null && !ProviderIdPattern().IsMatch(value))
        {
            throw StratumException.Invalid($"{field} '{EchoedText.Shorten(value)}' is invalid: it must match [a-z0-9][-_.a-z0-9]{{0,49}}.");
        }
    }

    public static void Resources(InstanceResources? resources, string field)
    {
        if (resources is null)
        {
            return;
        }
        foreach (var (name, value) in new[] { ("memory", resources.Memory), ("cores", resources.Cores), ("gpus", resources.Gpus) })
        {
            if (value < 0)
            {
                throw StratumException.Invalid($"{field}.{name} {value} is negative.");
            }
        }
        if (resources.CoreFraction is < 0 or > 100)
        {
            throw StratumException.Invalid($"{field}.coreFraction {resources.CoreFraction} is out of range: 0 to 100 (percent).");
        }
    }

    public static void Metadata(IReadOnlyDictionary<string, string>? metadata, string field = "metadata")
    {
        if (metadata is null)
        {
            return;
        }
        if (metadata.Count > MaxMetadataEntries)
        {
            throw StratumException.Invalid($"{field} has {metadata.Count} entries; at most {MaxMetadataEntries} are allowed.");
        }
        foreach (var (key, value) in metadata)
        {
            if (!MetadataKeyPattern().IsMatch(key))
            {
                throw StratumException.Invalid($"{field} key '{EchoedText.Shorten(key)}' is invalid: it must be 1 to {MaxMetadataKeyLength} of [-_.a-zA-Z0-9].");
            }
            if (value is null)
            {
                throw StratumException.Invalid($"{field}.{key} has no value.");
            }
        }
        var stored = JsonSerializer.Serialize(metadata).Length;
        if (stored > MaxMetadataCharacters)
        {
            throw StratumException.Invalid($"{field} is too large: its keys and values take {stored} characters as stored (JSON-escaped); at most {MaxMetadataCharacters} are allowed.");
        }
    }

    [GeneratedRegex("^[a-z0-9][-_.a-z0-9]{0,49}$")]
    private static partial Regex ProviderIdPattern();

    [GeneratedRegex("^[-_.a-zA-Z0-9]{1,128}$")]
    private static partial Regex MetadataKeyPattern();
}
