using System.Security.Cryptography;
using Grpc.Core;
using Stratum.Grpc.Compute.V1;
using Stratum.Tests.Infrastructure;
using Stratum.Tests.Uploads;
using GrpcPrepareUpload = Stratum.Grpc.Compute.V1.PrepareUploadRequest;
using ProviderCreate = Yandex.Cloud.Compute.V1.CreateImageRequest;
using StratumCreate = Stratum.Grpc.Compute.V1.CreateImageRequest;

namespace Stratum.Tests.Grpc;

/// <summary>PrepareUpload, a create from the upload, and Export over gRPC: signed URLs, the bytes never through the gateway.</summary>
[Collection(GrpcCollection.Name)]
public sealed class TransferServicesTests(GrpcFixture fixture)
{
    private readonly GrpcClient _admin = new(fixture.Tls, "dev-admin");

    [Fact]
    public async Task A_file_uploaded_to_the_prepared_url_becomes_an_image_whose_export_url_reads_it_back()
    {
        var folderId = await fixture.Stratum.Http().CreateFolderAsync();
        var file = DiskImages.Raw(3 << 20);
        var target = await _admin.StratumImages.PrepareUploadAsync(new GrpcPrepareUpload { FolderId = folderId, Size = file.Length }, _admin.Auth());
        Assert.StartsWith("http", target.UploadUrl);
        Assert.True(target.ExpiresAt.ToDateTimeOffset() > DateTimeOffset.UtcNow);
        await Staged.PutAsync(target.UploadUrl, file);

        var image = await _admin.DoneAsync<Yandex.Cloud.Compute.V1.Image>(_admin.StratumImages.CreateAsync(new StratumCreate
        {
            Image = new ProviderCreate { FolderId = folderId, Name = Names.Unique("up") },
            UploadId = target.UploadId,
            Format = Stratum.Grpc.Compute.V1.ImageFormat.Raw,
        }, _admin.Auth()));
        Assert.Equal(file.Length, image.StorageSize);

        var export = await _admin.StratumImages.ExportAsync(new ExportImageRequest { ImageId = image.Id, TtlSeconds = 600 }, _admin.Auth());
        Assert.Equal((file.Length, Stratum.Grpc.Compute.V1.ImageFormat.Raw), (export.Size, export.Format));
        Assert.Equal($"sha256:{Convert.ToHexStringLower(SHA256.HashData(file))}", export.Checksum);
        Assert.InRange(export.ExpiresAt.ToDateTimeOffset() - DateTimeOffset.UtcNow, TimeSpan.FromMinutes(9), TimeSpan.FromMinutes(11));
        using var http = new HttpClient();
        Assert.Equal(file, await http.GetByteArrayAsync(export.Url));

        // Not given: an hour, as REST without a body.
        var defaulted = await _admin.StratumImages.ExportAsync(new ExportImageRequest { ImageId = image.Id }, _admin.Auth());
        Assert.InRange(defaulted.ExpiresAt.ToDateTimeOffset() - DateTimeOffset.UtcNow, TimeSpan.FromMinutes(55), TimeSpan.FromMinutes(61));
    }

    [Fact]
    public async Task Uploads_and_exports_refuse_what_rest_refuses()
    {
        var http = fixture.Stratum.Http();
        var folderId = await http.CreateFolderAsync();
        await http.GrantAsync(folderId, "viewer", "bob");
        var bob = new GrpcClient(fixture.Tls, "dev-bob");
        var product = await _admin.DoneAsync<Yandex.Cloud.Compute.V1.Image>(_admin.Images.CreateAsync(new ProviderCreate
        {
            FolderId = folderId,
            Uri = fixture.Files.Add(Names.Unique("p"), DiskImages.Raw(8192)),
            ProductIds = { "licensedproduct1" },
        }, _admin.Auth()));

        await Refused(StatusCode.PermissionDenied, bob.StratumImages.PrepareUploadAsync(new GrpcPrepareUpload { FolderId = folderId }, bob.Auth()));
        await Refused(StatusCode.InvalidArgument, _admin.StratumImages.PrepareUploadAsync(new GrpcPrepareUpload { FolderId = folderId, Size = -1 }, _admin.Auth()));
        await Refused(StatusCode.FailedPrecondition, _admin.StratumImages.ExportAsync(new ExportImageRequest { ImageId = product.Id }, _admin.Auth()));
        await Refused(StatusCode.InvalidArgument, _admin.StratumImages.ExportAsync(new ExportImageRequest { ImageId = product.Id, TtlSeconds = 0 }, _admin.Auth()));
        await Refused(StatusCode.NotFound, new GrpcClient(fixture.Tls, "dev-alice").StratumImages.ExportAsync(new ExportImageRequest { ImageId = product.Id }, GrpcFixture.As("dev-alice")));
        await Refused(StatusCode.InvalidArgument, _admin.StratumImages.CreateAsync(new StratumCreate
        {
            Image = new ProviderCreate { FolderId = folderId, Uri = fixture.Files.Add(Names.Unique("two"), DiskImages.Raw(8192)) },
            UploadId = "upl-not-needed",
        }, _admin.Auth()));
        await Refused(StatusCode.Unimplemented, _admin.StratumImages.ExportAsync(RolloutServicesTests.WithUnknownField(new ExportImageRequest { ImageId = product.Id }), _admin.Auth()));
    }

    private static async Task Refused<T>(StatusCode code, AsyncUnaryCall<T> call)
    {
        var e = await Assert.ThrowsAsync<RpcException>(async () => await call);
        Assert.Equal(code, e.StatusCode);
    }
}
