using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace Stratum.Security;

/// <summary>
/// TLS on Orleans connections (silo to silo, client to gateway), mutual: every silo and every
/// client presents a certificate, and each side accepts only certificates that chain to
/// <see cref="CertificateAuthorityPath"/>. On by default outside Development, off in it.
/// Configuration section <c>Orleans:Tls</c>, the same keys for silos and clients.
/// </summary>
public sealed class OrleansTlsOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Orleans:Tls";

    /// <summary>On or off; unset means on outside Development.</summary>
    public bool? Enabled { get; set; }

    /// <summary>This process's certificate: a PEM file (its key in <see cref="KeyPath"/> or in the same file) or a PKCS#12 file.</summary>
    public string? CertificatePath { get; set; }

    /// <summary>The PEM private key of <see cref="CertificatePath"/>, when it is not in the same file.</summary>
    public string? KeyPath { get; set; }

    /// <summary>The password of a PKCS#12 certificate file.</summary>
    public string? Password { get; set; }

    /// <summary>
    /// A PEM file with the certificate authority that signed every silo's and client's certificate;
    /// the other side's certificate must chain to it. Unset: the machine's trusted roots.
    /// </summary>
    public string? CertificateAuthorityPath { get; set; }

    /// <summary>Whether TLS is on for a process in this environment.</summary>
    public bool IsEnabled(bool development) => Enabled ?? !development;

    /// <summary>This process's certificate with its private key; a clear error naming the key when it is missing.</summary>
    public X509Certificate2 LoadCertificate()
    {
        if (string.IsNullOrWhiteSpace(CertificatePath))
        {
            throw new InvalidOperationException(
                $"TLS on Orleans connections needs a certificate: set {Section}:CertificatePath (and {Section}:KeyPath or {Section}:Password), or {Section}:Enabled=false.");
        }
        var certificate = Path.GetExtension(CertificatePath) is ".pfx" or ".p12"
            ? X509CertificateLoader.LoadPkcs12FromFile(CertificatePath, Password)
            : X509Certificate2.CreateFromPemFile(CertificatePath, KeyPath);
        if (!certificate.HasPrivateKey)
        {
            throw new InvalidOperationException($"The certificate {CertificatePath} has no private key ({Section}:KeyPath).");
        }
        return certificate;
    }

    /// <summary>
    /// A validator of the other side's certificate: it must chain to the configured authority (or
    /// the machine's roots). Names are not checked: silos and gateways are reached by address.
    /// </summary>
    public Func<X509Certificate2, X509Chain?, SslPolicyErrors, bool> RemoteCertificateValidator()
    {
        if (string.IsNullOrWhiteSpace(CertificateAuthorityPath))
        {
            return (_, _, errors) => (errors & ~SslPolicyErrors.RemoteCertificateNameMismatch) == SslPolicyErrors.None;
        }
        var authority = X509CertificateLoader.LoadCertificateFromFile(CertificateAuthorityPath);
        return (certificate, _, _) =>
        {
            using var chain = new X509Chain();
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.Add(authority);
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            return chain.Build(certificate);
        };
    }
}
