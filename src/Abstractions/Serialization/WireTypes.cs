using Orleans.Serialization.Configuration;

[assembly: TypeManifestProvider(typeof(Stratum.Serialization.WireTypes))]

namespace Stratum.Serialization;

/// <summary>
/// Numbers for the framework types Stratum's records carry behind interfaces (an image's labels).
/// Orleans writes such a field's runtime type into every message, by name unless the type has a
/// well-known id: the name of <c>Dictionary&lt;string, string&gt;</c> was 49 of an image's 259
/// bytes. Every silo and client loads this assembly's manifest, so all of them agree on the ids.
/// </summary>
internal sealed class WireTypes : TypeManifestProviderBase
{
    /// <summary>Ids far above those Orleans gives its own types.</summary>
    private const uint First = 0x5354_0000;

    protected override void ConfigureInner(TypeManifestOptions options)
    {
        options.WellKnownTypeIds[First] = typeof(Dictionary<string, string>);
        options.WellKnownTypeIds[First + 1] = typeof(List<string>);
    }
}
