using Microsoft.Extensions.DependencyInjection;
using Stratum.Diagnostics;

namespace Stratum.Deployment;

public sealed partial class DeploymentShardGrain
{
    private StageTimings? _timings;

    /// <summary>The silo's stage timings (see <see cref="StageTimings"/>), for the load-test tool's per-stage report.</summary>
    private StageTimings Timings => _timings ??= ServiceProvider.GetRequiredService<StageTimings>();
}
