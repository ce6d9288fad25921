using Microsoft.Extensions.Configuration;
using Stratum.Security;

namespace Stratum.Client;

/// <summary>
/// How a .NET service reaches Stratum. Read from the same configuration keys as Stratum's own
/// processes (<c>Orleans:ClusterId</c>, <c>Stratum:Storage:ConnectionString</c>, <c>Orleans:Tls</c>)
/// plus <c>Stratum:Client:Token</c>; what <c>AddStratumClient</c>'s delegate sets wins.
/// </summary>
public sealed class StratumClientOptions
{
    /// <summary>The cluster to join; the AppHost's development cluster is <c>stratum-dev</c>.</summary>
    public string ClusterId { get; set; } = "stratum-dev";

    /// <summary>The service id the silos run with.</summary>
    public string ServiceId { get; set; } = "stratum";

    /// <summary>
    /// The Azure Storage account the silos use: its membership table tells the client where the
    /// gateways are, and its queue carries the change feed.
    /// </summary>
    public string StorageConnectionString { get; set; } = "UseDevelopmentStorage=true";

    /// <summary>
    /// This service's own bearer token (a service account's JWT; a development token in Development).
    /// Every call to Stratum carries it unless a forwarded token is in force (<see cref="StratumClient.ActAs"/>).
    /// Without one, only calls made with a forwarded token are served.
    /// </summary>
    public string? Token { get; set; }

    /// <summary>Subscribe to the change feed, which keeps <see cref="StratumClient.GetLatestByFamilyAsync"/>'s cache fresh (on).</summary>
    public bool ChangeFeed { get; set; } = true;

    /// <summary>TLS to the silos' gateways; on outside Development (see <see cref="OrleansTlsOptions"/>).</summary>
    public OrleansTlsOptions Tls { get; set; } = new();

    /// <summary>The options as a configuration gives them.</summary>
    public static StratumClientOptions From(IConfiguration configuration)
    {
        var options = new StratumClientOptions { Tls = OrleansTls.Options(configuration) };
        options.ClusterId = configuration["Orleans:ClusterId"] ?? options.ClusterId;
        options.ServiceId = configuration["Orleans:ServiceId"] ?? options.ServiceId;
        options.StorageConnectionString = configuration["Stratum:Storage:ConnectionString"] ?? options.StorageConnectionString;
        options.Token = configuration["Stratum:Client:Token"] ?? options.Token;
        return options;
    }
}
