using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;
using Stratum.Folders;
using Stratum.Tests.Infrastructure;

namespace Stratum.Tests.Gateway;

/// <summary>Image quota taken in a folder: concurrent takers share the folder's writes; a change not stored is not kept.</summary>
public sealed class FolderQuotaTests : IAsyncLifetime
{
    private static readonly ConcurrentDictionary<GrainId, int> Writes = new();
    private static readonly ConcurrentDictionary<GrainId, bool> FailNextWrite = new();
    private StratumCluster _stratum = null!;

    public async Task InitializeAsync() =>
        _stratum = await StratumCluster.StartAsync(silo: silo => silo.Services.AddKeyedSingleton<IGrainStorage>(StorageNames.Folders,
            (services, name) => new SlowFolderStorage(MemoryGrainStorageFactory.Create(services, (string)name!))));

    public Task DisposeAsync() => _stratum.DisposeAsync().AsTask();

    [Fact]
    public async Task Concurrent_quota_changes_share_the_folder_writes()
    {
        var folderId = await _stratum.Http().CreateFolderAsync();
        await _stratum.Http().SetQuotaAsync(folderId, QuotaNames.ImagesCount, 100);
        var folder = _stratum.Client.GetGrain<IFolderInternalGrain>(folderId);
        var before = Writes.GetValueOrDefault(folder.GetGrainId());

        await Task.WhenAll(Enumerable.Range(0, 20).Select(i => folder.ChangeUsageAsync($"img{i}:create", [new QuotaDelta(QuotaNames.ImagesCount, 1)])));

        var writes = Writes[folder.GetGrainId()] - before;
        Assert.True(writes <= 5, $"20 concurrent changes took {writes} folder writes");
        Assert.Equal(20, await UsageAsync(folderId));
    }

    [Fact]
    public async Task A_change_whose_write_failed_is_not_kept_and_its_retry_applies_it()
    {
        var folderId = await _stratum.Http().CreateFolderAsync();
        var folder = _stratum.Client.GetGrain<IFolderInternalGrain>(folderId);
        FailNextWrite[folder.GetGrainId()] = true;

        await Assert.ThrowsAnyAsync<Exception>(() => folder.ChangeUsageAsync("imgx:create", [new QuotaDelta(QuotaNames.ImagesCount, 1)]));
        Assert.Equal(0, await UsageAsync(folderId));

        await folder.ChangeUsageAsync("imgx:create", [new QuotaDelta(QuotaNames.ImagesCount, 1)]);
        Assert.Equal(1, await UsageAsync(folderId));
    }

    private async Task<long> UsageAsync(string folderId) =>
        (await _stratum.Client.GetGrain<IFolderGrain>(folderId).GetQuotasAsync(Caller.User("admin"))).Single(q => q.Name == QuotaNames.ImagesCount).Usage;

    /// <summary>Memory storage whose folder writes take 200 ms (so calls overlap them), counted, and failed once on request.</summary>
    private sealed class SlowFolderStorage(IGrainStorage inner) : IGrainStorage
    {
        public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) => inner.ReadStateAsync(stateName, grainId, grainState);

        public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
        {
            Writes.AddOrUpdate(grainId, 1, (_, n) => n + 1);
            await Task.Delay(200);
            if (FailNextWrite.TryRemove(grainId, out _))
            {
                throw new IOException("injected: the folder table refused the write");
            }
            await inner.WriteStateAsync(stateName, grainId, grainState);
        }

        public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) => inner.ClearStateAsync(stateName, grainId, grainState);
    }
}
