using Grpc.Core;
using Stratum.Grpc.Compute.V1;
using Stratum.Tests.Infrastructure;
using Yandex.Cloud.Compute.V1;

namespace Stratum.Tests.Grpc;

/// <summary><c>stratum.compute.v1</c> through the .NET gRPC client: details, deprecation, families, the family watch, layers.</summary>
[Collection(GrpcCollection.Name)]
public sealed class StratumServicesTests(GrpcFixture fixture)
{
    private readonly GrpcClient _admin = new(fixture.Tls, "dev-admin");

    [Fact]
    public async Task Details_show_format_checksum_deprecation_and_family_sequence()
    {
        var folderId = await fixture.Stratum.Http().CreateFolderAsync();
        var family = Names.Unique("fam");
        var first = await _admin.ImportAsync(fixture.Files, folderId, family);
        var second = await _admin.ImportAsync(fixture.Files, folderId, family);
        var details = await _admin.StratumImages.GetDetailsAsync(new GetImageDetailsRequest { ImageId = second.Id }, _admin.Auth());
        Assert.Equal(second.Id, details.Image.Id);
        Assert.Equal(Stratum.Grpc.Compute.V1.ImageFormat.Qcow2, details.Format);
        Assert.Matches("^sha256:[0-9a-f]{64}$", details.Checksum);
        Assert.Equal(Stratum.Grpc.Compute.V1.DeprecationState.Active, details.Deprecation.State);
        Assert.True(details.HasFamilySequence);
        var firstDetails = await _admin.StratumImages.GetDetailsAsync(new GetImageDetailsRequest { ImageId = first.Id }, _admin.Auth());
        Assert.True(details.FamilySequence > firstDetails.FamilySequence);
        Assert.Equal("", details.LayerId);
    }

    [Fact]
    public async Task Deprecate_answers_an_operation_with_the_details_and_latest_skips_the_image()
    {
        var folderId = await fixture.Stratum.Http().CreateFolderAsync();
        var family = Names.Unique("fam");
        var older = await _admin.ImportAsync(fixture.Files, folderId, family);
        var newer = await _admin.ImportAsync(fixture.Files, folderId, family);
        var operation = await _admin.WaitAsync(await _admin.StratumImages.DeprecateAsync(
            new DeprecateImageRequest { ImageId = newer.Id, State = Stratum.Grpc.Compute.V1.DeprecationState.Deprecated, Replacement = older.Id }, _admin.Auth()));
        Assert.Equal(newer.Id, operation.Metadata.Unpack<DeprecateImageMetadata>().ImageId);
        var details = operation.Response.Unpack<ImageDetails>();
        Assert.Equal(Stratum.Grpc.Compute.V1.DeprecationState.Deprecated, details.Deprecation.State);
        Assert.Equal(older.Id, details.Deprecation.Replacement);
        var latest = await _admin.Images.GetLatestByFamilyAsync(new GetImageLatestByFamilyRequest { FolderId = folderId, Family = family }, _admin.Auth());
        Assert.Equal(older.Id, latest.Id);

        var e = await Assert.ThrowsAsync<RpcException>(async () => await _admin.StratumImages.DeprecateAsync(
            new DeprecateImageRequest { ImageId = newer.Id }, _admin.Auth()));
        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
    }

    [Fact]
    public async Task ListFamilies_names_each_family_with_its_latest_and_count()
    {
        var folderId = await fixture.Stratum.Http().CreateFolderAsync();
        var family = Names.Unique("fam");
        await _admin.ImportAsync(fixture.Files, folderId, family);
        var latest = await _admin.ImportAsync(fixture.Files, folderId, family);
        var page = await _admin.StratumImages.ListFamiliesAsync(new ListFamiliesRequest { FolderId = folderId }, _admin.Auth());
        var listed = Assert.Single(page.Families);
        Assert.Equal(family, listed.Name);
        Assert.Equal(latest.Id, listed.LatestImageId);
        Assert.Equal(2, listed.ImageCount);
        Assert.Equal("", page.NextPageToken);
    }

    [Fact]
    public async Task WatchFamily_sends_the_latest_then_each_change_and_resumes_after_a_revision()
    {
        var folderId = await fixture.Stratum.Http().CreateFolderAsync();
        var family = Names.Unique("fam");
        var first = await _admin.ImportAsync(fixture.Files, folderId, family);
        using var watch = _admin.StratumImages.WatchFamily(new WatchFamilyRequest { FolderId = folderId, Family = family }, _admin.Auth());
        var current = await GrpcClient.NextAsync(watch);
        Assert.Equal(first.Id, current.Image.Image.Id);
        Assert.Equal(Stratum.Grpc.Compute.V1.ImageFormat.Qcow2, current.Image.Format);

        var second = await _admin.ImportAsync(fixture.Files, folderId, family);
        var changed = await GrpcClient.NextAsync(watch);
        Assert.Equal(second.Id, changed.Image.Image.Id);
        Assert.True(changed.Revision > current.Revision);

        // Two changes while nobody watches, then a watcher resuming after the revision it had.
        var third = await _admin.ImportAsync(fixture.Files, folderId, family);
        await _admin.WaitAsync(await _admin.StratumImages.DeprecateAsync(
            new DeprecateImageRequest { ImageId = third.Id, State = Stratum.Grpc.Compute.V1.DeprecationState.Deprecated }, _admin.Auth()));
        using var resumed = _admin.StratumImages.WatchFamily(
            new WatchFamilyRequest { FolderId = folderId, Family = family, AfterRevision = changed.Revision }, _admin.Auth());
        var missed1 = await GrpcClient.NextAsync(resumed);
        var missed2 = await GrpcClient.NextAsync(resumed);
        Assert.Equal(third.Id, missed1.Image.Image.Id);
        Assert.Equal(second.Id, missed2.Image.Image.Id);
        Assert.True(missed2.Revision > missed1.Revision && missed1.Revision > changed.Revision);
    }

    [Fact]
    public async Task WatchFamily_ends_with_the_error_when_access_is_revoked_and_refuses_bad_input_before_streaming()
    {
        var admin = fixture.Stratum.Http();
        var folderId = await admin.CreateFolderAsync();
        var family = Names.Unique("fam");
        await admin.GrantAsync(folderId, "viewer", "bob");
        await _admin.ImportAsync(fixture.Files, folderId, family);
        var bob = new GrpcClient(fixture.Tls, "dev-bob");
        using var watch = bob.StratumImages.WatchFamily(new WatchFamilyRequest { FolderId = folderId, Family = family }, bob.Auth());
        Assert.NotNull((await GrpcClient.NextAsync(watch)).Image);

        await admin.DoneAsync(HttpMethod.Post, $"/resource-manager/v1/folders/{folderId}:setAccessBindings", new { accessBindings = Array.Empty<object>() });
        // A change in the folder wakes the watch, which reads again and is refused.
        await _admin.ImportAsync(fixture.Files, folderId, family);
        var e = await Assert.ThrowsAsync<RpcException>(() => GrpcClient.NextAsync(watch));
        Assert.Equal(StatusCode.NotFound, e.StatusCode);

        foreach (var (request, code) in new[]
        {
            (new WatchFamilyRequest { FolderId = folderId }, StatusCode.InvalidArgument),
            (new WatchFamilyRequest { FolderId = folderId, Family = family, AfterRevision = -1 }, StatusCode.InvalidArgument),
            (new WatchFamilyRequest { FolderId = "fld00000000000000000", Family = family }, StatusCode.NotFound),
        })
        {
            using var refused = _admin.StratumImages.WatchFamily(request, _admin.Auth());
            Assert.Equal(code, (await Assert.ThrowsAsync<RpcException>(() => GrpcClient.NextAsync(refused))).StatusCode);
        }
    }

    [Fact]
    public async Task GetLayer_counts_the_images_and_disks_that_hold_a_pooled_image_s_layer()
    {
        var admin = fixture.Stratum.Http();
        var folderId = await admin.CreateFolderAsync();
        await admin.SetQuotaAsync(folderId, "compute.diskPools.count", 1);
        var image = await _admin.ImportAsync(fixture.Files, folderId, pooled: true);
        var details = await _admin.StratumImages.GetDetailsAsync(new GetImageDetailsRequest { ImageId = image.Id }, _admin.Auth());
        Assert.StartsWith("lyr", details.LayerId);
        await _admin.DoneAsync<Yandex.Cloud.Compute.V1.Disk>(_admin.Disks.CreateAsync(
            new Yandex.Cloud.Compute.V1.CreateDiskRequest { FolderId = folderId, Size = 1L << 30, ImageId = image.Id }, _admin.Auth()));
        var layer = await _admin.Layers.GetAsync(new GetLayerRequest { LayerId = details.LayerId }, _admin.Auth());
        Assert.Equal(details.LayerId, layer.Id);
        Assert.Equal(2, layer.ReferenceCount);
        Assert.Equal([image.Id], layer.ImageIds);
        Assert.Equal(details.Checksum, layer.Checksum);

        var stranger = new GrpcClient(fixture.Tls, "dev-bob");
        var e = await Assert.ThrowsAsync<RpcException>(async () => await stranger.Layers.GetAsync(new GetLayerRequest { LayerId = details.LayerId }, stranger.Auth()));
        Assert.Equal(StatusCode.NotFound, e.StatusCode);
    }
}
