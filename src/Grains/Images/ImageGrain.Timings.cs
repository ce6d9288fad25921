using Microsoft.Extensions.DependencyInjection;
using Stratum.Diagnostics;

namespace Stratum.Images;

public sealed partial class ImageGrain
{
    private StageTimings? _timings;

    /// <summary>The silo's stage timings (see <see cref="StageTimings"/>), for the load-test tool's per-stage report.</summary>
    private StageTimings Timings => _timings ??= ServiceProvider.GetRequiredService<StageTimings>();
}
