using System.Xml.Linq;
using Stratum.Tests.Infrastructure;

namespace Stratum.Tests.Unit;

/// <summary>Runtime settings of the server processes that the load tool's numbers depend on (the numbers are the load tool's).</summary>
public sealed class RuntimeSettingsTests
{
    private static XDocument Project(string name) => XDocument.Load(Path.Combine(Azurite.RepositoryRoot(), $"src/{name}/Stratum.{name}.csproj"));

    private static List<string> Values(XDocument project, string property) =>
        project.Descendants(property).Select(e => e.Value.Trim()).ToList();

    private static List<string> HostOption(XDocument project, string name) =>
        project.Descendants("RuntimeHostConfigurationOption").Where(e => (string?)e.Attribute("Include") == name)
            .Select(e => ((string?)e.Attribute("Value"))?.Trim() ?? "").ToList();

    [Fact]
    public void The_silo_compiles_methods_optimized_on_their_first_call()
    {
        // Quick (unoptimized) code stayed hot for whole load runs on 2 cores: the tier-up never got the CPU.
        Assert.Equal(["false"], Values(Project("Silo"), "TieredCompilationQuickJit"));
    }

    [Fact]
    public void The_silo_collects_garbage_without_dynamic_adaptation()
    {
        // DATAS's small budgets made the busy silo collect 70 times per 10,000 VMs, pausing 0.6-0.9 s in all.
        Assert.Equal(["0"], Values(Project("Silo"), "GarbageCollectionAdaptationMode"));
    }

    [Theory]
    [InlineData("Silo")]
    [InlineData("Gateway")]
    public void Tier_up_starts_without_waiting_for_start_up_compiling_to_go_quiet(string name)
    {
        // With the runtime's 100 ms delay, renewed by every newly compiled method, hot gateway code stayed unoptimized under a flood.
        Assert.Equal(["0"], HostOption(Project(name), "System.Runtime.TieredCompilation.CallCountingDelayMs"));
    }

    [Theory]
    [InlineData("Silo")]
    [InlineData("Gateway")]
    public void Idle_thread_pool_workers_block_without_spinning_first(string name)
    {
        // The processes share the machine's cores: a worker spinning for work took CPU another process needed.
        Assert.Equal(["0"], HostOption(Project(name), "System.Threading.ThreadPool.UnfairSemaphoreSpinLimit"));
    }
}
