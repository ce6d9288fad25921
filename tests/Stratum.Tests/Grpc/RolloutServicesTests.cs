using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Stratum.Grpc.Compute.V1;
using Stratum.Tests.Infrastructure;
using Yandex.Cloud.Compute.V1;
using GrpcRollout = Stratum.Grpc.Compute.V1.Rollout;
using GrpcRolloutStep = Stratum.Grpc.Compute.V1.RolloutStep;
using ProviderCreate = Yandex.Cloud.Compute.V1.CreateImageRequest;
using StratumCreate = Stratum.Grpc.Compute.V1.CreateImageRequest;

namespace Stratum.Tests.Grpc;

/// <summary>Staged rollout over gRPC: Stratum's create fields, Rollout, the cohort-aware latest and watch, families in rollout.</summary>
[Collection(GrpcCollection.Name)]
public sealed class RolloutServicesTests(GrpcFixture fixture)
{
    private readonly GrpcClient _admin = new(fixture.Tls, "dev-admin");

    [Fact]
    public async Task Create_with_stratum_fields_makes_a_protected_candidate_that_latest_skips_and_checks_the_format()
    {
        var folderId = await fixture.Stratum.Http().CreateFolderAsync();
        var family = Names.Unique("fam");
        var current = await _admin.ImportAsync(fixture.Files, folderId, family);
        var operation = await _admin.WaitAsync(await _admin.StratumImages.CreateAsync(new StratumCreate
        {
            Image = new ProviderCreate { FolderId = folderId, Family = family, Uri = QcowUri() },
            Format = Stratum.Grpc.Compute.V1.ImageFormat.Qcow2,
            Rollout = new GrpcRollout { Percent = 0 },
            DeletionProtection = true,
        }, _admin.Auth()));
        // The provider's create operation: its metadata and response, whichever API started it.
        var candidate = operation.Response.Unpack<Yandex.Cloud.Compute.V1.Image>();
        Assert.Equal(candidate.Id, operation.Metadata.Unpack<CreateImageMetadata>().ImageId);
        var details = await Details(candidate.Id);
        Assert.Equal((0, true, Stratum.Grpc.Compute.V1.ImageFormat.Qcow2), (details.Rollout.Percent, details.DeletionProtection, details.Format));
        var latest = await _admin.Images.GetLatestByFamilyAsync(new GetImageLatestByFamilyRequest { FolderId = folderId, Family = family }, _admin.Auth());
        Assert.Equal(current.Id, latest.Id);

        // The bytes are qcow2: a create that expects RAW ends in the grain's refusal.
        var mismatch = await _admin.WaitAsync(await _admin.StratumImages.CreateAsync(new StratumCreate
        {
            Image = new ProviderCreate { FolderId = folderId, Uri = QcowUri() },
            Format = Stratum.Grpc.Compute.V1.ImageFormat.Raw,
        }, _admin.Auth()));
        Assert.Equal((int)StatusCode.InvalidArgument, mismatch.Error.Code);
        Assert.Contains("RAW", mismatch.Error.Message);

        foreach (var (request, pattern) in new[]
        {
            (new StratumCreate(), "image is required"),
            (new StratumCreate { Image = new ProviderCreate { FolderId = folderId, Uri = QcowUri() }, Rollout = new GrpcRollout { Percent = 10 } }, "family"),
            (new StratumCreate { Image = new ProviderCreate { FolderId = folderId, Family = family, Uri = QcowUri() },
                Rollout = new GrpcRollout { Steps = { new GrpcRolloutStep { Percent = 50, At = Timestamp.FromDateTimeOffset(fixture.Clock.GetUtcNow().AddDays(1)) } } } }, "steps"),
            (new StratumCreate { Image = new ProviderCreate { FolderId = folderId, Uri = QcowUri() }, Format = (Stratum.Grpc.Compute.V1.ImageFormat)9 }, "format"),
        })
        {
            var e = await Assert.ThrowsAsync<RpcException>(async () => await _admin.StratumImages.CreateAsync(request, _admin.Auth()));
            Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
            Assert.Contains(pattern, e.Status.Detail);
        }
    }

    [Fact]
    public async Task Rollout_moves_a_cohort_now_and_its_scheduled_step_fires_with_typed_operations_and_families_in_rollout()
    {
        var http = fixture.Stratum.Http();
        var folderId = await http.CreateFolderAsync();
        var family = Names.Unique("fam");
        var older = await _admin.ImportAsync(fixture.Files, folderId, family);
        var newer = await _admin.ImportAsync(fixture.Files, folderId, family);
        var (low, high) = (CohortKey(folderId, family, b => b < 50), CohortKey(folderId, family, b => b >= 50));

        var due = fixture.Clock.GetUtcNow().AddHours(1);
        var key = Names.Unique("roll");
        var started = await _admin.StratumImages.RolloutAsync(new RolloutImageRequest
        {
            ImageId = newer.Id,
            Percent = 50,
            Steps = { new GrpcRolloutStep { Percent = 100, At = Timestamp.FromDateTimeOffset(due) } },
        }, _admin.Auth(key));
        var again = await _admin.StratumImages.RolloutAsync(new RolloutImageRequest { ImageId = newer.Id, Percent = 50, Steps = { new GrpcRolloutStep { Percent = 100, At = Timestamp.FromDateTimeOffset(due) } } }, _admin.Auth(key));
        Assert.Equal(started.Id, again.Id);
        var operation = await _admin.WaitAsync(started);
        Assert.Equal(newer.Id, operation.Metadata.Unpack<RolloutImageMetadata>().ImageId);
        var rolled = operation.Response.Unpack<ImageDetails>();
        Assert.Equal(50, rolled.Rollout.Percent);
        Assert.Equal((100, due), (rolled.Rollout.Steps.Single().Percent, rolled.Rollout.Steps.Single().At.ToDateTimeOffset()));
        // REST shows the same operation with the type gRPC packs.
        var rest = (await http.GetReplyAsync($"/operations/{operation.Id}")).Body!;
        Assert.Equal(OperationTypes.RolloutImage, rest["metadata"]!.Str("@type"));
        var operations = (await _admin.Images.ListOperationsAsync(new ListImageOperationsRequest { ImageId = newer.Id }, _admin.Auth())).Operations;
        Assert.True(Assert.Single(operations, o => o.Id == operation.Id).Metadata.Is(RolloutImageMetadata.Descriptor));

        Assert.Equal(newer.Id, (await Latest(folderId, family, low)).Image.Id);
        Assert.Equal(older.Id, (await Latest(folderId, family, high)).Image.Id);
        var listed = Assert.Single((await _admin.StratumImages.ListFamiliesAsync(new ListFamiliesRequest { FolderId = folderId }, _admin.Auth())).Families);
        Assert.Equal(older.Id, listed.LatestImageId);
        Assert.Equal((newer.Id, 50), (listed.Rollouts.Single().ImageId, listed.Rollouts.Single().Percent));

        fixture.Clock.Advance(TimeSpan.FromHours(2));
        await Wait.UntilAsync(async () => (await Details(newer.Id)).Rollout is { Percent: 100, Steps.Count: 0 }, what: "the scheduled step fires");
        await Wait.UntilAsync(async () => (await Latest(folderId, family, high)).Image.Id == newer.Id, what: "the high cohort gets the new image");
    }

    [Fact]
    public async Task Rollout_refuses_bad_input_and_unknown_fields_and_a_stranger_changing_nothing()
    {
        var folderId = await fixture.Stratum.Http().CreateFolderAsync();
        var image = await _admin.ImportAsync(fixture.Files, folderId, Names.Unique("fam"));
        foreach (var (request, code, pattern) in new[]
        {
            (new RolloutImageRequest { ImageId = image.Id }, StatusCode.InvalidArgument, "percent"),
            (new RolloutImageRequest { ImageId = image.Id, Percent = 101 }, StatusCode.InvalidArgument, "101"),
            (new RolloutImageRequest { ImageId = image.Id, Steps = { new GrpcRolloutStep { Percent = 50 } } }, StatusCode.InvalidArgument, "steps[0].at"),
            (new RolloutImageRequest { ImageId = image.Id, Steps = { new GrpcRolloutStep { Percent = 50, At = new Timestamp { Seconds = long.MaxValue } } } }, StatusCode.InvalidArgument, "steps[0].at is not a valid timestamp"),
            (new RolloutImageRequest { ImageId = "img00000000000000000", Percent = 10 }, StatusCode.NotFound, "img00000000000000000"),
            (WithUnknownField(new RolloutImageRequest { ImageId = image.Id, Percent = 10 }), StatusCode.Unimplemented, "Field number 99"),
        })
        {
            var e = await Assert.ThrowsAsync<RpcException>(async () => await _admin.StratumImages.RolloutAsync(request, _admin.Auth()));
            Assert.Equal(code, e.StatusCode);
            Assert.Contains(pattern, e.Status.Detail);
        }
        var bob = new GrpcClient(fixture.Tls, "dev-bob");
        var hidden = await Assert.ThrowsAsync<RpcException>(async () => await bob.StratumImages.RolloutAsync(new RolloutImageRequest { ImageId = image.Id, Percent = 0 }, bob.Auth()));
        Assert.Equal(StatusCode.NotFound, hidden.StatusCode);
        Assert.Equal(100, (await Details(image.Id)).Rollout.Percent);
    }

    [Fact]
    public async Task GetLatestByFamily_and_WatchFamily_follow_the_cohort_key()
    {
        var folderId = await fixture.Stratum.Http().CreateFolderAsync();
        var family = Names.Unique("fam");
        var current = await _admin.ImportAsync(fixture.Files, folderId, family);
        var candidate = await _admin.ImportAsync(fixture.Files, folderId, family);
        await _admin.DoneAsync<ImageDetails>(_admin.StratumImages.RolloutAsync(new RolloutImageRequest { ImageId = candidate.Id, Percent = 0 }, _admin.Auth()));
        var (low, high) = (CohortKey(folderId, family, b => b < 50), CohortKey(folderId, family, b => b >= 50));
        using var lowWatch = Watch(folderId, family, low);
        using var highWatch = Watch(folderId, family, high);
        Assert.Equal(current.Id, (await GrpcClient.NextAsync(lowWatch)).Image.Image.Id);
        Assert.Equal(current.Id, (await GrpcClient.NextAsync(highWatch)).Image.Image.Id);

        await _admin.DoneAsync<ImageDetails>(_admin.StratumImages.RolloutAsync(new RolloutImageRequest { ImageId = candidate.Id, Percent = 50 }, _admin.Auth()));
        var lowChange = await GrpcClient.NextAsync(lowWatch);
        Assert.Equal(candidate.Id, lowChange.Image.Image.Id);
        Assert.Equal(50, lowChange.Image.Rollout.Percent);
        Assert.Equal(candidate.Id, (await Latest(folderId, family, low)).Image.Id);
        Assert.Equal(current.Id, (await Latest(folderId, family, high)).Image.Id);

        // The high cohort's next message is the change that moved it, not the 50 % one it skipped.
        await _admin.DoneAsync<ImageDetails>(_admin.StratumImages.RolloutAsync(new RolloutImageRequest { ImageId = candidate.Id, Percent = 100 }, _admin.Auth()));
        var highChange = await GrpcClient.NextAsync(highWatch);
        Assert.Equal(candidate.Id, highChange.Image.Image.Id);
        Assert.True(highChange.Revision > lowChange.Revision);

        var tooLong = await Assert.ThrowsAsync<RpcException>(() => Latest(folderId, family, new string('k', 257)));
        Assert.Equal(StatusCode.InvalidArgument, tooLong.StatusCode);
        // Also when its bucket is the one the low cohort's answer was just kept under: the caches are keyed by bucket.
        var inFilledBucket = await Assert.ThrowsAsync<RpcException>(() => Latest(folderId, family, CohortKeys.TooLongIn(folderId, family, Cohorts.Bucket(folderId, family, low))));
        Assert.Equal(StatusCode.InvalidArgument, inFilledBucket.StatusCode);
        var none = await Assert.ThrowsAsync<RpcException>(() => Latest(folderId, Names.Unique("none"), low));
        Assert.Equal(StatusCode.NotFound, none.StatusCode);
    }

    private string QcowUri() => fixture.Files.Add($"{Names.Unique("disk")}.qcow2", DiskImages.Qcow2(64 * DiskImages.MiB));

    private async Task<ImageDetails> Details(string imageId) =>
        await _admin.StratumImages.GetDetailsAsync(new GetImageDetailsRequest { ImageId = imageId }, _admin.Auth());

    private async Task<ImageDetails> Latest(string folderId, string family, string cohortKey) =>
        await _admin.StratumImages.GetLatestByFamilyAsync(new GetLatestByFamilyRequest { FolderId = folderId, Family = family, CohortKey = cohortKey }, _admin.Auth());

    private AsyncServerStreamingCall<FamilyLatest> Watch(string folderId, string family, string cohortKey) =>
        _admin.StratumImages.WatchFamily(new WatchFamilyRequest { FolderId = folderId, Family = family, CohortKey = cohortKey }, _admin.Auth());

    /// <summary>A cohort key whose bucket in this family satisfies the condition.</summary>
    internal static string CohortKey(string folderId, string family, Func<int, bool> bucket) =>
        Enumerable.Range(0, 10_000).Select(i => $"host-{i}").First(k => bucket(Cohorts.Bucket(folderId, family, k)));

    /// <summary>The request with a field this server does not declare (number 99), as a newer client would send it.</summary>
    internal static T WithUnknownField<T>(T request) where T : IMessage<T>, new()
    {
        var bytes = request.ToByteArray().Concat(UnknownBytes()).ToArray();
        return new MessageParser<T>(() => new T()).ParseFrom(bytes);
    }

    // Field 99, varint 1: tag (99 << 3 | 0) = 792 as a varint, then the value.
    private static byte[] UnknownBytes() => [0x98, 0x06, 0x01];
}
