using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Options;

namespace Stratum.Import;

/// <summary>
/// Decides which URLs an import may fetch: http(s) on an allowed host, never a link-local or
/// cloud metadata address, checked for the URL itself, for every redirect, and again for the
/// addresses a host name resolves to at connect time.
/// </summary>
public sealed class UriPolicy(IOptions<ImportOptions> options)
{
    private static readonly HashSet<string> MetadataHosts = new(StringComparer.OrdinalIgnoreCase)
    {
        "metadata", "metadata.google.internal", "metadata.internal", "instance-data", "instance-data.ec2.internal",
    };

    /// <summary>Returns the parsed URL or throws 400 saying why it may not be fetched.</summary>
    public Uri Check(string? text, string field = "uri")
    {
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri))
        {
            throw StratumException.Invalid($"{field} '{text}' is not an absolute URL.");
        }
        if (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)
        {
            throw StratumException.Invalid($"{field} scheme '{uri.Scheme}' is refused: only http and https URLs can be imported.");
        }
        if (!string.IsNullOrEmpty(uri.UserInfo))
        {
            throw StratumException.Invalid($"{field} must not carry credentials.");
        }
        var host = uri.IdnHost.Trim('[', ']');
        var address = IPAddress.TryParse(host, out var parsed) ? Carried(parsed) : null;
        if (MetadataHosts.Contains(host) || (address is not null && IsForbidden(address)))
        {
            throw StratumException.Invalid($"{field} host '{host}' is a link-local or metadata address and is never fetched.");
        }
        if (!IsAllowed(address?.ToString() ?? host, uri.Port))
        {
            throw StratumException.Invalid($"{field} host '{uri.Authority}' is not on the import allow-list; " +
                $"an operator can add it to {ImportOptions.Section}:AllowedHosts (as host or host:port).");
        }
        return uri;
    }

    /// <summary>
    /// The IPv4 address an IPv6 address carries, which is the one that would be reached: IPv4-mapped
    /// (::ffff:a.b.c.d), IPv4-compatible (::a.b.c.d), NAT64 (64:ff9b::/96) and 6to4 (2002::/16);
    /// any other address as it is.
    /// </summary>
    public static IPAddress Carried(IPAddress address)
    {
        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return address;
        }
        if (address.IsIPv4MappedToIPv6)
        {
            return address.MapToIPv4();
        }
        var bytes = address.GetAddressBytes();
        var compatible = bytes.AsSpan(0, 12).IndexOfAnyExcept((byte)0) < 0 && bytes.AsSpan(12).IndexOfAnyExcept((byte)0) >= 0
            && !address.Equals(IPAddress.IPv6Loopback);
        var nat64 = bytes.AsSpan(0, 12).SequenceEqual(Nat64Prefix);
        if (compatible || nat64)
        {
            return new IPAddress(bytes.AsSpan(12, 4));
        }
        return bytes[0] == 0x20 && bytes[1] == 0x02 ? new IPAddress(bytes.AsSpan(2, 4)) : address;
    }

    private static ReadOnlySpan<byte> Nat64Prefix => [0x00, 0x64, 0xFF, 0x9B, 0, 0, 0, 0, 0, 0, 0, 0];

    /// <summary>Link-local (which holds the cloud metadata addresses), unspecified, multicast.</summary>
    public static bool IsForbidden(IPAddress address)
    {
        address = Carried(address);
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            var b = address.GetAddressBytes();
            return (b[0] == 169 && b[1] == 254) || b[0] == 0 || b[0] >= 224;
        }
        return address.IsIPv6LinkLocal || address.IsIPv6Multicast || address.Equals(IPAddress.IPv6Any)
            || address.Equals(IPAddress.Parse("fd00:ec2::254"));
    }

    private bool IsAllowed(string host, int port) => options.Value.AllowedHosts.Any(entry =>
    {
        var parts = entry.Split(':', 2);
        return string.Equals(parts[0], host, StringComparison.OrdinalIgnoreCase)
            && (parts.Length == 1 || parts[1] == port.ToString(System.Globalization.CultureInfo.InvariantCulture));
    });
}
