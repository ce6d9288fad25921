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
        if (MetadataHosts.Contains(host) || (IPAddress.TryParse(host, out var address) && IsForbidden(address)))
        {
            throw StratumException.Invalid($"{field} host '{host}' is a link-local or metadata address and is never fetched.");
        }
        if (!IsAllowed(uri))
        {
            throw StratumException.Invalid($"{field} host '{uri.Authority}' is not on the import allow-list.");
        }
        return uri;
    }

    /// <summary>Link-local (which holds the cloud metadata addresses), unspecified, multicast.</summary>
    public static bool IsForbidden(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            var b = address.GetAddressBytes();
            return (b[0] == 169 && b[1] == 254) || b[0] == 0 || b[0] >= 224;
        }
        return address.IsIPv6LinkLocal || address.IsIPv6Multicast || address.Equals(IPAddress.IPv6Any)
            || address.Equals(IPAddress.Parse("fd00:ec2::254"));
    }

    private bool IsAllowed(Uri uri) => options.Value.AllowedHosts.Any(entry =>
    {
        var parts = entry.Split(':', 2);
        return string.Equals(parts[0], uri.Host.Trim('[', ']'), StringComparison.OrdinalIgnoreCase)
            && (parts.Length == 1 || parts[1] == uri.Port.ToString(System.Globalization.CultureInfo.InvariantCulture));
    });
}
