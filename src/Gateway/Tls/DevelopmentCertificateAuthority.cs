using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Stratum.Gateway.Tls;

/// <summary>
/// A certificate authority for development: created once in a directory (<c>ca.pem</c>, which
/// clients trust, and <c>ca-key.pem</c>), then used to sign a server certificate for 127.0.0.1,
/// ::1 and localhost at every start. The AppHost and a gateway in Development share it (a lock file
/// keeps two first runs from writing two), so clients keep trusting the same ca.pem across runs.
/// Shared with the AppHost by source link, so it needs nothing beyond the base library.
/// </summary>
public static class DevelopmentCertificateAuthority
{
    public const string CertificateFile = "ca.pem";
    public const string KeyFile = "ca-key.pem";

    /// <summary>The authority in <paramref name="directory"/>, created there if it is not yet.</summary>
    public static X509Certificate2 LoadOrCreate(string directory)
    {
        Directory.CreateDirectory(directory);
        var (certificatePath, keyPath) = (Path.Combine(directory, CertificateFile), Path.Combine(directory, KeyFile));
        using var exclusive = Lock(Path.Combine(directory, ".lock"));
        if (File.Exists(certificatePath) && File.Exists(keyPath))
        {
            return X509Certificate2.CreateFromPemFile(certificatePath, keyPath);
        }
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN=Stratum Development CA ({Environment.MachineName})", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        var now = DateTimeOffset.UtcNow;
        var authority = request.CreateSelfSigned(now.AddDays(-1), now.AddYears(10));
        File.WriteAllText(keyPath, key.ExportPkcs8PrivateKeyPem());
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(keyPath, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
        // The certificate last: its presence says the pair is complete.
        File.WriteAllText(certificatePath, authority.ExportCertificatePem());
        return authority;
    }

    /// <summary>A server certificate signed by <paramref name="authority"/> for the loopback names and <paramref name="extraNames"/>.</summary>
    public static X509Certificate2 IssueServerCertificate(X509Certificate2 authority, IEnumerable<string> extraNames)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        names.AddIpAddress(IPAddress.Loopback);
        names.AddIpAddress(IPAddress.IPv6Loopback);
        foreach (var name in extraNames.Where(n => !string.IsNullOrWhiteSpace(n)))
        {
            if (IPAddress.TryParse(name, out var address))
            {
                names.AddIpAddress(address);
            }
            else
            {
                names.AddDnsName(name);
            }
        }
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(authority, true, false));
        var now = DateTimeOffset.UtcNow;
        var notAfter = now.AddDays(365) < authority.NotAfter ? now.AddDays(365) : authority.NotAfter.ToUniversalTime();
        using var signed = request.Create(authority, now.AddHours(-1), notAfter, RandomNumberGenerator.GetBytes(16));
        using var withKey = signed.CopyWithPrivateKey(key);
        // Through PKCS#12, so TLS gets a key it can use on every platform.
        return X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);
    }

    private static FileStream Lock(string path)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                Thread.Sleep(50);
            }
        }
    }
}
