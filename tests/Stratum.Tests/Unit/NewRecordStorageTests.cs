using Orleans.Storage;
using Stratum.Storage;

namespace Stratum.Tests.Unit;

/// <summary>
/// The activation read skipped for a grain marked new, and only that one: a read again, another grain's read,
/// and a read after the grain consumed its mark all go to storage.
/// </summary>
public sealed class NewRecordStorageTests
{
    private static readonly GrainId Image = GrainId.Create("image", "imgaaaaaaaaaaaaaaaaa");
    private static readonly GrainId Other = GrainId.Create("image", "imgbbbbbbbbbbbbbbbbb");

    [Fact]
    public async Task Only_the_first_read_of_the_marked_grain_is_skipped()
    {
        var inner = new CountingStore();
        var storage = new NewRecordStorage(inner);
        var (activation, other) = (new GrainState<string>("new"), new GrainState<string>("new"));

        await NewRecords.CallAsNewAsync(Image, async () =>
        {
            await storage.ReadStateAsync("image", Image, activation);
            await storage.ReadStateAsync("image", Other, other);
            await storage.ReadStateAsync("image", Image, activation);
            return 0;
        });
        await storage.ReadStateAsync("image", Image, new GrainState<string>("new"));

        Assert.Equal([$"read {Other}", $"read {Image}", $"read {Image}"], inner.Reads);
    }

    [Fact]
    public async Task A_consumed_mark_skips_nothing()
    {
        var inner = new CountingStore();
        var storage = new NewRecordStorage(inner);

        await NewRecords.CallAsNewAsync(Image, async () =>
        {
            NewRecords.Consume();
            await storage.ReadStateAsync("image", Image, new GrainState<string>("new"));
            return 0;
        });

        Assert.Equal([$"read {Image}"], inner.Reads);
    }

    private sealed class CountingStore : IGrainStorage
    {
        public List<string> Reads { get; } = [];

        public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
        {
            Reads.Add($"read {grainId}");
            return Task.CompletedTask;
        }

        public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) => Task.CompletedTask;

        public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) => Task.CompletedTask;
    }
}
