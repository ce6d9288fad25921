using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Stratum.Grpc.Compute.V1;
using Stratum.Tests.Infrastructure;
using Yandex.Cloud.Compute.V1;
using GrpcImageView = Stratum.Grpc.Compute.V1.ImageView;
using GrpcDeprecationState = Stratum.Grpc.Compute.V1.DeprecationState;
using ProviderStatus = Yandex.Cloud.Compute.V1.Image.Types.Status;
using StratumList = Stratum.Grpc.Compute.V1.ListImagesRequest;
using StratumUpdate = Stratum.Grpc.Compute.V1.UpdateImageRequest;

namespace Stratum.Tests.Grpc;

/// <summary>Scheduled lifecycle, deletion protection and the recycle bin over gRPC, on the grains REST uses.</summary>
[Collection(GrpcCollection.Name)]
public sealed class SafeDeletionServicesTests(GrpcFixture fixture)
{
    private readonly GrpcClient _admin = new(fixture.Tls, "dev-admin");

    [Fact]
    public async Task Deprecate_schedules_shows_and_clears_times_and_a_due_one_fires()
    {
        var folderId = await fixture.Stratum.Http().CreateFolderAsync();
        var image = await _admin.ImportAsync(fixture.Files, folderId, Names.Unique("fam"));
        var now = fixture.Clock.GetUtcNow();
        var (deprecateAt, obsoleteAt, deleteAt) = (now.AddHours(1), now.AddDays(10), now.AddDays(20));
        var scheduled = await _admin.DoneAsync<ImageDetails>(_admin.StratumImages.DeprecateAsync(new DeprecateImageRequest
        {
            ImageId = image.Id,
            DeprecateAt = Timestamp.FromDateTimeOffset(deprecateAt),
            ObsoleteAt = Timestamp.FromDateTimeOffset(obsoleteAt),
            DeleteAt = Timestamp.FromDateTimeOffset(deleteAt),
        }, _admin.Auth()));
        Assert.Equal(GrpcDeprecationState.Active, scheduled.Deprecation.State);
        Assert.Equal((deprecateAt, obsoleteAt, deleteAt),
            (scheduled.Deprecation.DeprecateAt.ToDateTimeOffset(), scheduled.Deprecation.ObsoleteAt.ToDateTimeOffset(), scheduled.Deprecation.DeleteAt.ToDateTimeOffset()));

        var cleared = await _admin.DoneAsync<ImageDetails>(_admin.StratumImages.DeprecateAsync(
            new DeprecateImageRequest { ImageId = image.Id, Clear = { LifecycleTime.DeleteAt } }, _admin.Auth()));
        Assert.Null(cleared.Deprecation.DeleteAt);
        Assert.Equal(obsoleteAt, cleared.Deprecation.ObsoleteAt.ToDateTimeOffset());

        foreach (var (request, pattern) in new[]
        {
            (new DeprecateImageRequest { ImageId = image.Id }, "Nothing to change"),
            (new DeprecateImageRequest { ImageId = image.Id, ObsoleteAt = Timestamp.FromDateTimeOffset(now.AddMinutes(30)) }, "in order"),
            (new DeprecateImageRequest { ImageId = image.Id, DeleteAt = Timestamp.FromDateTimeOffset(now.AddDays(30)), Clear = { LifecycleTime.DeleteAt } }, "both given and cleared"),
            (new DeprecateImageRequest { ImageId = image.Id, Clear = { LifecycleTime.Unspecified } }, "clear[0]"),
            (new DeprecateImageRequest { ImageId = image.Id, State = (GrpcDeprecationState)7 }, "state 7"),
        })
        {
            var e = await Assert.ThrowsAsync<RpcException>(async () => await _admin.StratumImages.DeprecateAsync(request, _admin.Auth()));
            Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
            Assert.Contains(pattern, e.Status.Detail);
        }

        fixture.Clock.Advance(TimeSpan.FromHours(2));
        await Wait.UntilAsync(async () => (await Details(image.Id)).Deprecation.State == GrpcDeprecationState.Deprecated, what: "deprecateAt fires");
        Assert.Null((await Details(image.Id)).Deprecation.DeprecateAt);
    }

    [Fact]
    public async Task Deletion_protection_set_and_lifted_by_update_refuses_every_delete_and_a_scheduled_one_fails_visibly()
    {
        var folderId = await fixture.Stratum.Http().CreateFolderAsync();
        var image = await _admin.ImportAsync(fixture.Files, folderId);
        var started = await _admin.StratumImages.UpdateAsync(new StratumUpdate { ImageId = image.Id, DeletionProtection = true }, _admin.Auth());
        var updated = await _admin.WaitAsync(started);
        Assert.Equal(image.Id, updated.Metadata.Unpack<UpdateImageMetadata>().ImageId);
        Assert.True((await Details(image.Id)).DeletionProtection);

        var refused = await Assert.ThrowsAsync<RpcException>(async () => await _admin.Images.DeleteAsync(new DeleteImageRequest { ImageId = image.Id }, _admin.Auth()));
        Assert.Equal(StatusCode.FailedPrecondition, refused.StatusCode);
        Assert.Contains("deletionProtection", refused.Status.Detail);

        var due = fixture.Clock.GetUtcNow().AddHours(1);
        await _admin.DoneAsync<ImageDetails>(_admin.StratumImages.DeprecateAsync(
            new DeprecateImageRequest { ImageId = image.Id, DeleteAt = Timestamp.FromDateTimeOffset(due) }, _admin.Auth()));
        fixture.Clock.Advance(TimeSpan.FromHours(2));
        await Wait.UntilAsync(async () => (await Details(image.Id)).ScheduleFailure is not null, what: "the scheduled delete's failure is shown");
        var failed = await Details(image.Id);
        Assert.Equal(ProviderStatus.Ready, failed.Image.Status);
        Assert.Equal(("deleteAt", due, 9), (failed.ScheduleFailure.Schedule, failed.ScheduleFailure.At.ToDateTimeOffset(), failed.ScheduleFailure.Error.Code));
        Assert.Contains("deletionProtection", failed.ScheduleFailure.Error.Message);

        foreach (var (request, pattern) in new[]
        {
            (new StratumUpdate { ImageId = image.Id }, "update"),
            (new StratumUpdate { ImageId = image.Id, UpdateMask = new FieldMask { Paths = { "name" } } }, "updateMask path 'name'"),
        })
        {
            var e = await Assert.ThrowsAsync<RpcException>(async () => await _admin.StratumImages.UpdateAsync(request, _admin.Auth()));
            Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
            Assert.Contains(pattern, e.Status.Detail, StringComparison.OrdinalIgnoreCase);
        }
        var bob = new GrpcClient(fixture.Tls, "dev-bob");
        await fixture.Stratum.Http().GrantAsync(folderId, "viewer", "bob");
        var viewer = await Assert.ThrowsAsync<RpcException>(async () => await bob.StratumImages.UpdateAsync(new StratumUpdate { ImageId = image.Id, DeletionProtection = false }, bob.Auth()));
        Assert.Equal(StatusCode.PermissionDenied, viewer.StatusCode);

        // Named by the mask with no value: lifted (the provider's mask rule), and the delete goes through.
        await _admin.WaitAsync(await _admin.StratumImages.UpdateAsync(
            new StratumUpdate { ImageId = image.Id, UpdateMask = new FieldMask { Paths = { "deletionProtection" } } }, _admin.Auth()));
        Assert.False((await Details(image.Id)).DeletionProtection);
        await _admin.DoneAsync<Empty>(_admin.Images.DeleteAsync(new DeleteImageRequest { ImageId = image.Id }, _admin.Auth()));
        var gone = await Assert.ThrowsAsync<RpcException>(() => Details(image.Id));
        Assert.Equal(StatusCode.NotFound, gone.StatusCode);
    }

    [Fact]
    public async Task Recycle_bin_keeps_a_deleted_image_out_of_lists_and_latest_until_restore_brings_it_back()
    {
        var folderId = await fixture.Stratum.Http().CreateFolderAsync();
        var family = Names.Unique("fam");
        var older = await _admin.ImportAsync(fixture.Files, folderId, family);
        var image = await _admin.ImportAsync(fixture.Files, folderId, family);
        Assert.Equal(0, (await _admin.StratumFolders.GetRecycleBinAsync(new GetRecycleBinRequest { FolderId = folderId }, _admin.Auth())).RetentionHours);
        var setting = await _admin.WaitAsync(await _admin.StratumFolders.UpdateRecycleBinAsync(new UpdateRecycleBinRequest { FolderId = folderId, RetentionHours = 24 }, _admin.Auth()));
        Assert.Null(setting.Error);
        Assert.Equal(24, (await _admin.StratumFolders.GetRecycleBinAsync(new GetRecycleBinRequest { FolderId = folderId }, _admin.Auth())).RetentionHours);

        await _admin.DoneAsync<Empty>(_admin.Images.DeleteAsync(new DeleteImageRequest { ImageId = image.Id }, _admin.Auth()));
        Assert.Equal(ProviderStatus.Deleted, (await _admin.Images.GetAsync(new GetImageRequest { ImageId = image.Id }, _admin.Auth())).Status);
        var binned = await Details(image.Id);
        Assert.Equal(ProviderStatus.Deleted, binned.Image.Status);
        Assert.Equal(TimeSpan.FromHours(24), binned.PurgeAt.ToDateTimeOffset() - binned.DeletedAt.ToDateTimeOffset());
        Assert.DoesNotContain(image.Id, (await _admin.Images.ListAsync(new Yandex.Cloud.Compute.V1.ListImagesRequest { FolderId = folderId }, _admin.Auth())).Images.Select(i => i.Id));
        Assert.Equal([older.Id], (await List(folderId, GrpcImageView.Default)).Select(i => i.Image.Id));
        Assert.Equal([image.Id], (await List(folderId, GrpcImageView.RecycleBin)).Select(i => i.Image.Id));
        Assert.Equal(older.Id, (await _admin.Images.GetLatestByFamilyAsync(new GetImageLatestByFamilyRequest { FolderId = folderId, Family = family }, _admin.Auth())).Id);
        var again = await Assert.ThrowsAsync<RpcException>(async () => await _admin.Images.DeleteAsync(new DeleteImageRequest { ImageId = image.Id }, _admin.Auth()));
        Assert.Equal(StatusCode.FailedPrecondition, again.StatusCode);

        var restore = await _admin.WaitAsync(await _admin.StratumImages.RestoreAsync(new RestoreImageRequest { ImageId = image.Id }, _admin.Auth()));
        Assert.Equal(image.Id, restore.Metadata.Unpack<RestoreImageMetadata>().ImageId);
        // The operation is typed where it is stored: REST shows the same type, and the image's operations list it so.
        var rest = (await fixture.Stratum.Http().GetReplyAsync($"/operations/{restore.Id}")).Body!;
        Assert.Equal(OperationTypes.RestoreImage, rest["metadata"]!.Str("@type"));
        var operations = (await _admin.Images.ListOperationsAsync(new ListImageOperationsRequest { ImageId = image.Id }, _admin.Auth())).Operations;
        Assert.True(Assert.Single(operations, o => o.Id == restore.Id).Metadata.Is(RestoreImageMetadata.Descriptor));
        var restored = restore.Response.Unpack<ImageDetails>();
        Assert.Equal(ProviderStatus.Ready, restored.Image.Status);
        Assert.Null(restored.DeletedAt);
        Assert.Equal(image.Id, (await _admin.Images.GetLatestByFamilyAsync(new GetImageLatestByFamilyRequest { FolderId = folderId, Family = family }, _admin.Auth())).Id);
        Assert.Empty(await List(folderId, GrpcImageView.RecycleBin));
        var notBinned = await Assert.ThrowsAsync<RpcException>(async () => await _admin.StratumImages.RestoreAsync(new RestoreImageRequest { ImageId = image.Id }, _admin.Auth()));
        Assert.Equal(StatusCode.FailedPrecondition, notBinned.StatusCode);
        var badView = await Assert.ThrowsAsync<RpcException>(() => List(folderId, (GrpcImageView)5));
        Assert.Equal(StatusCode.InvalidArgument, badView.StatusCode);
    }

    [Fact]
    public async Task The_recycle_bin_setting_is_for_folder_admins_within_its_range()
    {
        var http = fixture.Stratum.Http();
        var folderId = await http.CreateFolderAsync();
        await http.GrantAsync(folderId, "editor", "alice");
        var alice = new GrpcClient(fixture.Tls, "dev-alice");
        var bob = new GrpcClient(fixture.Tls, "dev-bob");
        Assert.Equal(folderId, (await alice.StratumFolders.GetRecycleBinAsync(new GetRecycleBinRequest { FolderId = folderId }, alice.Auth())).FolderId);
        foreach (var (client, request, code) in new[]
        {
            (alice, new UpdateRecycleBinRequest { FolderId = folderId, RetentionHours = 24 }, StatusCode.PermissionDenied),
            (bob, new UpdateRecycleBinRequest { FolderId = folderId, RetentionHours = 24 }, StatusCode.NotFound),
            (_admin, new UpdateRecycleBinRequest { FolderId = folderId, RetentionHours = 8761 }, StatusCode.InvalidArgument),
            (_admin, new UpdateRecycleBinRequest { FolderId = folderId, RetentionHours = -1 }, StatusCode.InvalidArgument),
            (_admin, new UpdateRecycleBinRequest { FolderId = "", RetentionHours = 1 }, StatusCode.InvalidArgument),
        })
        {
            var e = await Assert.ThrowsAsync<RpcException>(async () => await client.StratumFolders.UpdateRecycleBinAsync(request, client.Auth()));
            Assert.Equal(code, e.StatusCode);
        }
        var hidden = await Assert.ThrowsAsync<RpcException>(async () => await bob.StratumFolders.GetRecycleBinAsync(new GetRecycleBinRequest { FolderId = folderId }, bob.Auth()));
        Assert.Equal(StatusCode.NotFound, hidden.StatusCode);
        Assert.Equal(0, (await _admin.StratumFolders.GetRecycleBinAsync(new GetRecycleBinRequest { FolderId = folderId }, _admin.Auth())).RetentionHours);
    }

    private async Task<ImageDetails> Details(string imageId) =>
        await _admin.StratumImages.GetDetailsAsync(new GetImageDetailsRequest { ImageId = imageId }, _admin.Auth());

    private async Task<IReadOnlyList<ImageDetails>> List(string folderId, GrpcImageView view) =>
        (await _admin.StratumImages.ListAsync(new StratumList { FolderId = folderId, View = view }, _admin.Auth())).Images;
}
