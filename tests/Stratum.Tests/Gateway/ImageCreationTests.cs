using System.Collections.Concurrent;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;
using Stratum.Images;
using Stratum.Tests.Infrastructure;

namespace Stratum.Tests.Gateway;

/// <summary>An image created from an image: what one creation leaves behind, and a creation whose record could not be written.</summary>
public sealed class ImageCreationTests : IAsyncLifetime
{
    private static readonly ConcurrentDictionary<string, bool> FailFirstWriteOf = new();
    private StratumCluster _stratum = null!;
    private FileServer _files = null!;

    public async Task InitializeAsync()
    {
        _stratum = await StratumCluster.StartAsync(silo: silo => silo.Services.AddKeyedSingleton<IGrainStorage>(StorageNames.Images,
            (services, name) => new FailingImageStorage(MemoryGrainStorageFactory.Create(services, (string)name!))));
        _files = await FileServer.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _files.DisposeAsync();
        await _stratum.DisposeAsync();
    }

    [Fact]
    public async Task A_finished_creation_leaves_no_reminder_behind()
    {
        var (admin, folderId, source) = await FolderWithSourceAsync();

        // A family member is stored CREATING and finished in the background, under a reconcile reminder.
        var copy = await admin.DoneAsync(HttpMethod.Post, "/compute/v1/images", new { folderId, imageId = source.Str("id"), name = Names.Unique("copy"), family = "kept" });

        Assert.Equal("READY", copy.Str("status"));
        var reminders = _stratum.Cluster.Silos[0].ServiceProvider.GetRequiredService<IReminderTable>();
        var grain = _stratum.Client.GetGrain<IImageInternalGrain>(copy.Str("id")).GetGrainId();
        await Wait.UntilAsync(async () => (await reminders.ReadRows(grain)).Reminders.Count == 0, seconds: 10,
            what: "the removal of a READY image's reconcile reminder");
    }

    [Fact]
    public async Task A_copy_of_a_small_image_is_ready_when_accepted_and_never_sets_a_reminder()
    {
        var (admin, folderId, source) = await FolderWithSourceAsync();

        var accepted = await admin.PostReplyAsync("/compute/v1/images", new { folderId, imageId = source.Str("id"), name = Names.Unique("copy") });

        Assert.True(accepted.Status == HttpStatusCode.OK, accepted.Text);
        Assert.True(accepted.Body!["done"]!.GetValue<bool>(), accepted.Text);
        var copy = accepted.Body!["response"]!;
        Assert.Equal(("READY", source.Str("storageSize")), (copy.Str("status"), copy.Str("storageSize")));
        var reminders = _stratum.Cluster.Silos[0].ServiceProvider.GetRequiredService<IReminderTable>();
        Assert.Empty((await reminders.ReadRows(_stratum.Client.GetGrain<IImageInternalGrain>(copy.Str("id")).GetGrainId())).Reminders);
        var listed = await admin.ListImagesAsync(folderId);
        Assert.Equal("READY", listed.Single(i => i.Str("id") == copy.Str("id")).Str("status"));
    }

    [Fact]
    public async Task A_copy_ready_when_accepted_holds_its_operation_which_outlives_the_image()
    {
        var (admin, folderId, source) = await FolderWithSourceAsync();
        var (key, body) = (Names.Unique("key"), new { folderId, imageId = source.Str("id"), name = Names.Unique("copy") });

        var accepted = await admin.PostReplyAsync("/compute/v1/images", body, key);

        Assert.True(accepted.Status == HttpStatusCode.OK && accepted.Body!["done"]!.GetValue<bool>(), accepted.Text);
        var (operationId, imageId) = (accepted.Body!.Str("id"), accepted.Body!["response"]!.Str("id"));
        // No record of its own (one read and one write fewer per create): the image's record holds it.
        Assert.False(await OperationRecordExistsAsync(operationId));
        var read = await admin.GetReplyAsync($"/operations/{operationId}");
        Assert.True(read.Status == HttpStatusCode.OK && read.Body!["done"]!.GetValue<bool>(), read.Text);
        Assert.Equal(imageId, read.Body!["response"]!.Str("id"));

        // Deleted for good (no recycle bin): the operation moves to its own record and stays readable,
        // and a retry with the key still answers it instead of creating the image again.
        await admin.DoneAsync(HttpMethod.Delete, $"/compute/v1/images/{imageId}");

        Assert.True(await OperationRecordExistsAsync(operationId));
        var afterDeletion = await admin.GetReplyAsync($"/operations/{operationId}");
        Assert.True(afterDeletion.Status == HttpStatusCode.OK, afterDeletion.Text);
        Assert.Equal(("READY", imageId), (afterDeletion.Body!["response"]!.Str("status"), afterDeletion.Body!["response"]!.Str("id")));
        var retried = await admin.PostReplyAsync("/compute/v1/images", body, key);
        Assert.True(retried.Status == HttpStatusCode.OK, retried.Text);
        Assert.Equal(operationId, retried.Body!.Str("id"));
        Assert.Equal([source.Str("id")], (await admin.ListImagesAsync(folderId)).Select(i => i.Str("id")));
    }

    [Fact]
    public async Task A_copy_refused_for_its_name_keeps_no_data()
    {
        var (admin, folderId, source) = await FolderWithSourceAsync();
        var name = Names.Unique("taken");
        await admin.DoneAsync(HttpMethod.Post, "/compute/v1/images", new { folderId, imageId = source.Str("id"), name });
        var before = await BlobNamesAsync();

        // The copy runs beside the name's reservation; the refusal deletes what it copied before answering.
        var refused = await admin.PostReplyAsync("/compute/v1/images", new { folderId, imageId = source.Str("id"), name });

        Assert.True(refused.Status == HttpStatusCode.Conflict, refused.Text);
        Assert.Equal(before, await BlobNamesAsync());
    }

    /// <summary>The admin's client, a new folder and a READY 8 KiB image in it to copy from.</summary>
    private async Task<(HttpClient Admin, string FolderId, System.Text.Json.Nodes.JsonNode Source)> FolderWithSourceAsync()
    {
        var admin = _stratum.Http();
        var folderId = await admin.CreateFolderAsync();
        var source = await admin.DoneAsync(HttpMethod.Post, "/compute/v1/images", new { folderId, uri = _files.Add(Names.Unique("s"), DiskImages.Raw(8192)) });
        return (admin, folderId, source);
    }

    private async Task<bool> OperationRecordExistsAsync(string operationId)
    {
        var storage = _stratum.Cluster.Silos[0].ServiceProvider.GetRequiredKeyedService<IGrainStorage>(StorageNames.Operations);
        var state = new GrainState<Operations.OperationState>(new Operations.OperationState());
        await storage.ReadStateAsync("operation", _stratum.Client.GetGrain<Operations.IOperationInternalGrain>(operationId).GetGrainId(), state);
        return state.RecordExists;
    }

    private async Task<List<string>> BlobNamesAsync()
    {
        var names = new List<string>();
        await foreach (var blob in _stratum.ImageData.GetBlobsAsync())
        {
            names.Add(blob.Name);
        }
        return names;
    }

    [Fact]
    public async Task A_creation_whose_record_was_not_written_is_retried_by_its_key_as_if_new()
    {
        var (admin, folderId, source) = await FolderWithSourceAsync();
        var name = Names.Unique("unlucky");
        FailFirstWriteOf[name] = true;
        var key = Names.Unique("key");

        var failed = await admin.PostReplyAsync("/compute/v1/images", new { folderId, imageId = source.Str("id"), name }, key);
        Assert.NotEqual(HttpStatusCode.OK, failed.Status);

        var retried = await admin.PostReplyAsync("/compute/v1/images", new { folderId, imageId = source.Str("id"), name }, key);
        Assert.True(retried.Status == HttpStatusCode.OK, retried.Text);
        var done = await admin.WaitAsync(retried.Body!, seconds: 15);
        Assert.Equal("READY", done["response"]!.Str("status"));
        Assert.Equal(done["response"]!.Str("id"), (await admin.GetReplyAsync($"/compute/v1/images/{done["response"]!.Str("id")}")).Body!.Str("id"));
        var images = await admin.ListImagesAsync(folderId);
        Assert.Equal(2, images.Count);
        var quotas = (await admin.GetReplyAsync($"/compute/v1/folders/{folderId}/quotas")).Body!["quotas"]!.AsArray();
        Assert.Equal("2", quotas.Single(q => q!.Str("name") == "compute.images.count")!.Str("usage"));
    }

    /// <summary>Memory storage that fails the first write of a creating image with a chosen name.</summary>
    private sealed class FailingImageStorage(IGrainStorage inner) : IGrainStorage
    {
        public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) => inner.ReadStateAsync(stateName, grainId, grainState);

        public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
            grainState.State is ImageState { Request.Name: { } name } && FailFirstWriteOf.TryRemove(name, out _)
                ? Task.FromException(new IOException("injected: the image store refused the write"))
                : inner.WriteStateAsync(stateName, grainId, grainState);

        public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) => inner.ClearStateAsync(stateName, grainId, grainState);
    }
}
