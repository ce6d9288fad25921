using System.Net;
using Grpc.Core;
using Stratum.Tests.Infrastructure;
using Yandex.Cloud.Compute.V1;
using Yandex.Cloud.Operation;

namespace Stratum.Tests.Grpc;

/// <summary>
/// What the Node suite does not reach: operation cancel, the rules on kept instance fields,
/// REST and gRPC sharing one store, and the status details of a grain's refusal.
/// </summary>
[Collection(GrpcCollection.Name)]
public sealed class ProviderServicesTests(GrpcFixture fixture)
{
    private readonly GrpcClient _admin = new(fixture.Tls, "dev-admin");

    [Fact]
    public async Task Cancel_stops_an_import_and_its_operation_ends_with_the_error()
    {
        var folderId = await fixture.Stratum.Http().CreateFolderAsync();
        var uri = fixture.Files.AddSlow(Names.Unique("slow"), DiskImages.Raw(4 << 20), TimeSpan.FromMilliseconds(200));
        var started = await _admin.Images.CreateAsync(new Yandex.Cloud.Compute.V1.CreateImageRequest { FolderId = folderId, Uri = uri }, _admin.Auth());
        Assert.False(started.Done);
        var cancelled = await _admin.Operations.CancelAsync(new CancelOperationRequest { OperationId = started.Id }, _admin.Auth());
        Assert.Equal(started.Id, cancelled.Id);
        var done = await _admin.WaitAsync(cancelled);
        Assert.Equal((int)StatusCode.Aborted, done.Error.Code);
        Assert.Contains("cancelled", done.Error.Message);
        Assert.Null(done.Response);
    }

    [Fact]
    public async Task Kept_instance_fields_are_checked_for_shape_and_a_refused_create_makes_nothing()
    {
        var folderId = await fixture.Stratum.Http().CreateFolderAsync();
        var image = await _admin.ImportAsync(fixture.Files, folderId);
        Yandex.Cloud.Compute.V1.CreateInstanceRequest Vm(Action<Yandex.Cloud.Compute.V1.CreateInstanceRequest> change)
        {
            var request = new Yandex.Cloud.Compute.V1.CreateInstanceRequest
            {
                FolderId = folderId,
                ZoneId = "ru-central1-a",
                BootDiskSpec = new AttachedDiskSpec { DiskSpec = new AttachedDiskSpec.Types.DiskSpec { Size = 1L << 30, ImageId = image.Id } },
            };
            change(request);
            return request;
        }
        foreach (var (request, field) in new[]
        {
            (Vm(r => r.ZoneId = "Zone A"), "zoneId"),
            (Vm(r => r.PlatformId = new string('p', 51)), "platformId"),
            (Vm(r => r.ResourcesSpec = new ResourcesSpec { Cores = -1 }), "resourcesSpec.cores"),
            (Vm(r => r.ResourcesSpec = new ResourcesSpec { CoreFraction = 101 }), "resourcesSpec.coreFraction"),
            (Vm(r => r.Metadata["user-data"] = new string('x', 16_400)), "metadata is too large"),
            (Vm(r => r.Metadata["bad key!"] = "x"), "metadata key"),
            (Vm(r => r.Labels["Bad"] = "x"), "labels key"),
        })
        {
            var e = await Assert.ThrowsAsync<RpcException>(async () => await _admin.Instances.CreateAsync(request, _admin.Auth()));
            Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
            Assert.Contains(field, e.Status.Detail);
        }
        var listed = await _admin.Instances.ListAsync(new ListInstancesRequest { FolderId = folderId }, _admin.Auth());
        Assert.Empty(listed.Instances);

        // The largest metadata allowed is stored whole (the row stays within what the table holds).
        var largest = Vm(r => r.Metadata["user-data"] = new string('y', KeptLimit));
        var made = await _admin.DoneAsync<Yandex.Cloud.Compute.V1.Instance>(_admin.Instances.CreateAsync(largest, _admin.Auth()));
        var full = await _admin.Instances.GetAsync(new GetInstanceRequest { InstanceId = made.Id, View = InstanceView.Full }, _admin.Auth());
        Assert.Equal(KeptLimit, full.Metadata["user-data"].Length);
    }

    /// <summary>16,384 characters as stored, less the JSON around one value: {"user-data":"…"}.</summary>
    private const int KeptLimit = 16_384 - 17;

    [Fact]
    public async Task An_instance_made_over_rest_shows_its_kept_fields_over_grpc()
    {
        var http = fixture.Stratum.Http();
        var folderId = await http.CreateFolderAsync();
        var image = await _admin.ImportAsync(fixture.Files, folderId);
        var made = await http.DoneAsync(HttpMethod.Post, "/compute/v1/instances", new
        {
            folderId,
            zoneId = "ru-central1-b",
            platformId = "standard-v2",
            resourcesSpec = new { memory = "2147483648", cores = "2" },
            metadata = new Dictionary<string, string> { ["ssh-keys"] = "k" },
            bootDiskSpec = new { diskSpec = new { size = "1073741824", imageId = image.Id } },
        });
        Assert.Equal("ru-central1-b", made.Str("zoneId"));
        var instance = await _admin.Instances.GetAsync(new GetInstanceRequest { InstanceId = made.Str("id"), View = InstanceView.Full }, _admin.Auth());
        Assert.Equal("standard-v2", instance.PlatformId);
        Assert.Equal(2L << 30, instance.Resources.Memory);
        Assert.Equal("k", instance.Metadata["ssh-keys"]);
        var reply = await http.GetReplyAsync($"/compute/v1/instances/{instance.Id}");
        Assert.Equal(HttpStatusCode.OK, reply.Status);
        Assert.Equal("2", reply.Body!["resources"]!.Str("cores"));
    }

    [Fact]
    public async Task A_grain_s_refusal_carries_the_contract_code_and_message_in_google_rpc_status()
    {
        var e = await Assert.ThrowsAsync<RpcException>(async () =>
            await _admin.Images.GetAsync(new GetImageRequest { ImageId = "img0000000000000000z" }, _admin.Auth()));
        Assert.Equal(StatusCode.NotFound, e.StatusCode);
        var status = e.GetRpcStatus()!;
        Assert.Equal(5, status.Code);
        Assert.Equal("image 'img0000000000000000z' was not found.", status.Message);
        Assert.Equal("NOT_FOUND", status.GetDetail<Google.Rpc.ErrorInfo>()!.Reason);

        // The same refusal over REST: one rule, two shapes.
        var rest = await fixture.Stratum.Http().GetReplyAsync("/compute/v1/images/img0000000000000000z");
        Assert.Equal(5, rest.Code);
        Assert.Equal(status.Message, rest.Message);
    }
}
