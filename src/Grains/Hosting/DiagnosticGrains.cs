using System.Reflection;
using Microsoft.Extensions.Configuration;
using Orleans.Serialization;

namespace Stratum.Hosting;

/// <summary>
/// Grains that are no part of Stratum, hosted by a silo only when its configuration names their
/// assembly: the benchmark's baseline grain (bench/Stratum.Bench.Grains), which bench/run's silos
/// load and no other silo does. Such grains live outside Stratum.Grains, so the
/// <see cref="Access.ClientCallGuard"/> leaves them alone as it leaves Orleans' own grains: they must
/// hold nothing of Stratum's and decide nothing.
/// </summary>
public static class DiagnosticGrains
{
    /// <summary>The path of an assembly of grains to host besides Stratum's (unset: none).</summary>
    public const string GrainAssemblyKey = "Stratum:Diagnostics:GrainAssembly";

    public static ISiloBuilder AddStratumDiagnosticGrains(this ISiloBuilder silo, IConfiguration configuration)
    {
        if (configuration[GrainAssemblyKey] is not { Length: > 0 } path)
        {
            return silo;
        }
        var assembly = Assembly.LoadFrom(Path.GetFullPath(path));
        silo.Services.AddSerializer(serializer => serializer.AddAssembly(assembly));
        return silo;
    }
}
