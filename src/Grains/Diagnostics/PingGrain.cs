namespace Stratum.Diagnostics;

/// <summary>Does nothing, on the silo that receives the call (like the image catalog), so the two cost the same hop.</summary>
[StatelessWorker, Reentrant]
public sealed class PingGrain : Grain, IPingGrain
{
    public Task PingAsync() => Task.CompletedTask;
}
