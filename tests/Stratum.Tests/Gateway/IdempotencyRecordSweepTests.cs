using System.Net;
using Microsoft.Extensions.Options;
using Orleans.Core.Internal;
using Stratum.Deployment;
using Stratum.Operations;
using Stratum.Storage;
using Stratum.Tests.Infrastructure;

namespace Stratum.Tests.Gateway;

/// <summary>
/// The idempotency grains' records (every key but the compute shards') are deleted from storage once
/// older than the contract's window, so storage does not grow with every key ever sent. On grain
/// storage in Azurite (the sweep reads the blob container), in a cluster of its own: the sweep
/// deletes every old record of its cluster.
/// </summary>
public sealed class IdempotencyRecordSweepTests : IAsyncLifetime
{
    private StratumCluster _stratum = null!;
    private HttpClient _admin = null!;

    public async Task InitializeAsync()
    {
        _stratum = await StratumCluster.StartAsync(durable: true);
        _admin = _stratum.Http();
    }

    public async Task DisposeAsync() => await _stratum.DisposeAsync();

    [Fact]
    public async Task Another_mutation_s_key_record_is_kept_within_the_window_and_swept_after_it()
    {
        var folderId = await _admin.CreateFolderAsync();
        var path = $"/resource-manager/v1/folders/{folderId}:setAccessBindings";
        static object Viewer(string user) => new { accessBindings = new[] { new { roleId = "viewer", subject = new { id = user, type = "userAccount" } } } };
        var key = Names.Unique("bindings-key");
        var first = await _admin.SendAsync(HttpMethod.Post, path, Viewer("bob"), key);
        Assert.True(first.Status == HttpStatusCode.OK, first.Text);
        var claimKey = Idempotency.ClaimKey(Caller.User("admin"), key)!;
        var records = _stratum.SiloService<StorageClients>().Blobs
            .GetBlobContainerClient(_stratum.SiloService<IOptions<StratumStorageOptions>>().Value.GrainContainer(StorageNames.Idempotency));
        async Task<bool> RecordExistsAsync()
        {
            await foreach (var record in records.GetBlobsAsync())
            {
                if (record.Name.Contains(claimKey, StringComparison.Ordinal))
                {
                    return true;
                }
            }
            return false;
        }
        Assert.True(await RecordExistsAsync(), "the key's record was stored where the sweep looks");
        var janitor = _stratum.SiloGrains.GetGrain<IDataJanitorGrain>(0);

        // Within the window the record stays: the key still names the first request.
        await janitor.SweepClaimsAsync(Idempotency.Window);
        Assert.True(await RecordExistsAsync());
        var reused = await _admin.SendAsync(HttpMethod.Post, path, Viewer("carol"), key);
        Assert.True(reused.Status == HttpStatusCode.Conflict && reused.Code == 10, reused.Text);

        // Once older than the window (here 1 s) it is deleted from storage...
        await Wait.ForAsync(async () =>
        {
            await janitor.SweepClaimsAsync(TimeSpan.FromSeconds(1));
            return await RecordExistsAsync();
        }, exists => !exists, seconds: 30, describe: _ => "the record is still stored", pollMilliseconds: 500);
        // ...and the key is new to the grain that reads storage next (an active one decides on its
        // own copy, which in service is past the window too when its record is swept).
        var grain = _stratum.SiloGrains.GetGrain<IIdempotencyGrain>(claimKey);
        await grain.Cast<IGrainManagementExtension>().DeactivateOnIdle();
        var fresh = await Wait.ForAsync(() => _admin.SendAsync(HttpMethod.Post, path, Viewer("carol"), key),
            reply => reply.Status == HttpStatusCode.OK, seconds: 30, describe: reply => reply.Text, pollMilliseconds: 200);
        Assert.NotEqual(first.Body!.Str("id"), fresh.Body!.Str("id"));
        await _admin.WaitAsync(fresh.Body!);
        var bindings = (await _admin.GetReplyAsync($"/resource-manager/v1/folders/{folderId}:listAccessBindings")).Body!["accessBindings"]!.AsArray();
        Assert.Equal("carol", Assert.Single(bindings)!["subject"]!.Str("id"));
    }
}
