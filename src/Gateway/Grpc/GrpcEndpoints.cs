using System.Net;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Stratum.Gateway.Tls;

namespace Stratum.Gateway.Grpc;

/// <summary>
/// Where the gateway listens for gRPC, from <c>Stratum:Grpc</c>: <c>TlsEndpoint</c> (HTTP/1.1 and
/// HTTP/2 over TLS, REST included) and <c>PlaintextEndpoint</c> (HTTP/2 without TLS, for clients
/// inside the cluster), each <c>host:port</c>; empty means not at all. The TLS certificate is
/// <c>Certificate:Path</c> (PEM with <c>Certificate:KeyPath</c>, or PKCS#12 with
/// <c>Certificate:Password</c>); without one, in Development, a server certificate signed by the
/// development authority in <c>DevelopmentCa:Directory</c> (default <c>.stratum/dev</c> at the
/// repository root). Kestrel ignores <c>--urls</c> once endpoints are set in code, so the REST
/// addresses from <c>urls</c> are bound here too.
/// </summary>
public static class GrpcEndpoints
{
    public const string Section = "Stratum:Grpc";

    public static bool AreConfigured(IConfiguration configuration) =>
        !string.IsNullOrEmpty(configuration[$"{Section}:TlsEndpoint"]) || !string.IsNullOrEmpty(configuration[$"{Section}:PlaintextEndpoint"]);

    public static void Listen(KestrelServerOptions kestrel, IConfiguration configuration, IHostEnvironment environment)
    {
        var grpc = configuration.GetSection(Section);
        var certificate = new Lazy<X509Certificate2>(() => Certificate(grpc, environment));
        foreach (var url in (configuration[WebHostDefaults.ServerUrlsKey] ?? "http://localhost:5000").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var address = BindingAddress.Parse(url);
            Bind(kestrel, address.Host, address.Port, listen =>
            {
                if (address.Scheme == "https")
                {
                    listen.UseHttps(certificate.Value);
                }
            });
        }
        if (grpc["PlaintextEndpoint"] is { Length: > 0 } plaintext)
        {
            var (host, port) = HostAndPort(plaintext, "PlaintextEndpoint");
            Bind(kestrel, host, port, listen => listen.Protocols = HttpProtocols.Http2);
        }
        if (grpc["TlsEndpoint"] is { Length: > 0 } tls)
        {
            var (host, port) = HostAndPort(tls, "TlsEndpoint");
            Bind(kestrel, host, port, listen =>
            {
                listen.Protocols = HttpProtocols.Http1AndHttp2;
                listen.UseHttps(certificate.Value);
            });
        }
    }

    /// <summary>Where the development authority lives: configured, else .stratum/dev at the repository root (found by global.json).</summary>
    public static string DevelopmentCaDirectory(IConfiguration grpc, IHostEnvironment environment)
    {
        if (grpc["DevelopmentCa:Directory"] is { Length: > 0 } configured)
        {
            return Path.GetFullPath(configured);
        }
        var directory = new DirectoryInfo(environment.ContentRootPath);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "global.json")))
        {
            directory = directory.Parent;
        }
        return Path.Combine(directory?.FullName ?? environment.ContentRootPath, ".stratum", "dev");
    }

    private static X509Certificate2 Certificate(IConfiguration grpc, IHostEnvironment environment)
    {
        if (grpc["Certificate:Path"] is { Length: > 0 } path)
        {
            if (grpc["Certificate:KeyPath"] is { Length: > 0 } keyPath)
            {
                using var pem = X509Certificate2.CreateFromPemFile(path, keyPath);
                return X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
            }
            return X509CertificateLoader.LoadPkcs12FromFile(path, grpc["Certificate:Password"]);
        }
        if (!environment.IsDevelopment())
        {
            throw new InvalidOperationException($"{Section}:TlsEndpoint needs a certificate: set {Section}:Certificate:Path (and KeyPath or Password).");
        }
        using var authority = DevelopmentCertificateAuthority.LoadOrCreate(DevelopmentCaDirectory(grpc, environment));
        var names = grpc.GetSection("DevelopmentCa:HostNames").Get<string[]>() ?? [];
        return DevelopmentCertificateAuthority.IssueServerCertificate(authority, names);
    }

    private static (string Host, int Port) HostAndPort(string endpoint, string key)
    {
        var colon = endpoint.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(endpoint[(colon + 1)..], out var port) || port is < 0 or > 65535)
        {
            throw new InvalidOperationException($"{Section}:{key} '{endpoint}' must be host:port, such as 127.0.0.1:8443.");
        }
        return (endpoint[..colon].Trim('[', ']'), port);
    }

    private static void Bind(KestrelServerOptions kestrel, string host, int port, Action<ListenOptions> configure)
    {
        if (host is "localhost")
        {
            kestrel.ListenLocalhost(port, configure);
        }
        else if (IPAddress.TryParse(host, out var address))
        {
            kestrel.Listen(address, port, configure);
        }
        else
        {
            // "*", "+", "0.0.0.0"-like wildcards and host names: every address, as Kestrel reads --urls.
            kestrel.ListenAnyIP(port, configure);
        }
    }
}
