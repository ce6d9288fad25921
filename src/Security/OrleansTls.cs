using Microsoft.Extensions.Configuration;
using Orleans.Connections.Security;

namespace Stratum.Security;

/// <summary>Mutual TLS on Orleans connections, for silos and clients, from <see cref="OrleansTlsOptions"/>.</summary>
public static class OrleansTls
{
    /// <summary>The <c>Orleans:Tls</c> section of a configuration.</summary>
    public static OrleansTlsOptions Options(IConfiguration configuration) =>
        configuration.GetSection(OrleansTlsOptions.Section).Get<OrleansTlsOptions>() ?? new OrleansTlsOptions();

    /// <summary>TLS on the silo's connections as <c>Orleans:Tls</c> says: on outside Development unless turned off.</summary>
    public static ISiloBuilder UseStratumTls(this ISiloBuilder silo, IConfiguration configuration, bool development)
    {
        var options = Options(configuration);
        return options.IsEnabled(development) ? silo.UseStratumTls(options) : silo;
    }

    /// <summary>TLS on the client's connections as <c>Orleans:Tls</c> says: on outside Development unless turned off.</summary>
    public static IClientBuilder UseStratumTls(this IClientBuilder client, IConfiguration configuration, bool development)
    {
        var options = Options(configuration);
        return options.IsEnabled(development) ? client.UseStratumTls(options) : client;
    }

    /// <summary>
    /// TLS on every connection a silo accepts (from silos and from clients at its gateway) and
    /// opens; both sides present certificates of the configured authority.
    /// </summary>
    public static ISiloBuilder UseStratumTls(this ISiloBuilder silo, OrleansTlsOptions options)
    {
        var validator = options.RemoteCertificateValidator();
        return silo.UseTls(options.LoadCertificate(), tls =>
        {
            tls.RemoteCertificateMode = RemoteCertificateMode.RequireCertificate;
            tls.ClientCertificateMode = RemoteCertificateMode.RequireCertificate;
            tls.RemoteCertificateValidation = (certificate, chain, errors) => validator(certificate, chain, errors);
        });
    }

    /// <summary>TLS on a client's connections to the gateways; the client presents its own certificate.</summary>
    public static IClientBuilder UseStratumTls(this IClientBuilder client, OrleansTlsOptions options)
    {
        var validator = options.RemoteCertificateValidator();
        return client.UseTls(options.LoadCertificate(), tls =>
        {
            tls.RemoteCertificateMode = RemoteCertificateMode.RequireCertificate;
            tls.ClientCertificateMode = RemoteCertificateMode.RequireCertificate;
            tls.RemoteCertificateValidation = (certificate, chain, errors) => validator(certificate, chain, errors);
        });
    }
}
