using System.Xml.Linq;
using Stratum.Tests.Infrastructure;

namespace Stratum.Tests.Unit;

/// <summary>Runtime settings of the server processes that the load tool's numbers depend on.</summary>
public sealed class RuntimeSettingsTests
{
    [Theory]
    [InlineData("src/Silo/Stratum.Silo.csproj")]
    [InlineData("src/Gateway/Stratum.Gateway.csproj")]
    public void The_silo_and_the_gateway_compile_methods_optimized_on_their_first_call(string project)
    {
        var document = XDocument.Load(Path.Combine(Azurite.RepositoryRoot(), project));

        var quickJit = document.Descendants("TieredCompilationQuickJit").Select(e => e.Value.Trim()).ToList();

        // Quick (unoptimized) code stayed hot for whole load runs on 2 cores: the tier-up never got the CPU.
        Assert.Equal(["false"], quickJit);
    }
}
