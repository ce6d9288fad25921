namespace Stratum.Bench.Grains;

/// <summary>Does nothing, on the silo that receives the call (like the image catalog), so the two cost the same hop.</summary>
[StatelessWorker, Reentrant]
public sealed class PingGrain : Grain, IPingGrain
{
    // Per silo, shared by the worker's activations; only the benchmark sets it.
    private static Image? s_held;

    public Task PingAsync() => Task.CompletedTask;

    public Task<Image?> EchoAsync(Caller caller, string folderId, string family) => Task.FromResult(s_held);

    public Task HoldAsync(Image image)
    {
        s_held = image;
        return Task.CompletedTask;
    }
}
