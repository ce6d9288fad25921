using System.Xml.Linq;
using Stratum.Tests.Infrastructure;

namespace Stratum.Tests.Unit;

/// <summary>Runtime settings of the server processes that the load tool's numbers depend on.</summary>
public sealed class RuntimeSettingsTests
{
    [Fact]
    public void The_silo_compiles_methods_optimized_on_their_first_call()
    {
        var document = XDocument.Load(Path.Combine(Azurite.RepositoryRoot(), "src/Silo/Stratum.Silo.csproj"));

        var quickJit = document.Descendants("TieredCompilationQuickJit").Select(e => e.Value.Trim()).ToList();

        // Quick (unoptimized) code stayed hot for whole load runs on 2 cores: the tier-up never got the CPU.
        Assert.Equal(["false"], quickJit);
    }
}
