using Google.Protobuf.Collections;
using Google.Protobuf.WellKnownTypes;
using Yandex.Cloud.Compute.V1;
using static Stratum.Gateway.Grpc.Requests;
using GrpcDeprecationState = Stratum.Grpc.Compute.V1.DeprecationState;
using GrpcImageFormat = Stratum.Grpc.Compute.V1.ImageFormat;
using LifecycleTime = Stratum.Grpc.Compute.V1.LifecycleTime;
using StratumGrpc = Stratum.Grpc.Compute.V1;

namespace Stratum.Gateway.Grpc;

/// <summary>
/// The image requests of both APIs read into the records the image grains take, as REST reads
/// its JSON bodies: only the message's shape is checked here, every rule is the grain's.
/// </summary>
public static class ImageRequestReader
{
    public static Stratum.CreateImageRequest Create(Yandex.Cloud.Compute.V1.CreateImageRequest request) => new(
        request.FolderId, Given(request.Name), Given(request.Description), Given(request.Labels),
        Given(request.Family), Given(request.MinDiskSize), Given(request.ProductIds),
        request.Os is { Type: not Os.Types.Type.Unspecified } os ? new OsInfo(Enum(os.Type, "os.type") == Os.Types.Type.Windows ? OsType.Windows : OsType.Linux) : null,
        request.Pooled ? true : null,
        ImageId: request.HasImageId ? request.ImageId : null,
        DiskId: request.HasDiskId ? request.DiskId : null,
        SnapshotId: request.HasSnapshotId ? request.SnapshotId : null,
        Uri: request.HasUri ? request.Uri : null);

    /// <summary>The provider's create plus Stratum's fields, as one REST body would carry them.</summary>
    public static Stratum.CreateImageRequest Create(StratumGrpc.CreateImageRequest request)
    {
        var image = request.Image ?? throw StratumException.Invalid("image is required: the provider's CreateImageRequest (folderId, attributes, and a source unless uploadId is given).");
        return Create(image) with
        {
            UploadId = Given(request.UploadId),
            Format = Enum(request.Format, "format") switch
            {
                GrpcImageFormat.Qcow2 => ImageFormat.Qcow2,
                GrpcImageFormat.Vmdk => ImageFormat.Vmdk,
                GrpcImageFormat.Vhd => ImageFormat.Vhd,
                GrpcImageFormat.Raw => ImageFormat.Raw,
                _ => null,
            },
            // A rollout message given is a rollout asked for: percent 0 there is a candidate, as {"rollout": {}} on REST.
            Rollout = request.Rollout is { } rollout ? new RolloutRequest(rollout.Percent, Steps(rollout.Steps, "rollout.steps")) : null,
            DeletionProtection = request.DeletionProtection ? true : null,
        };
    }

    /// <summary>The fields the update names (or, without a mask, those given); the grain refuses an update of nothing.</summary>
    public static Stratum.UpdateImageRequest Update(StratumGrpc.UpdateImageRequest request)
    {
        var fields = Masked(request.UpdateMask, new Dictionary<string, bool> { ["deletion_protection"] = request.HasDeletionProtection });
        return new Stratum.UpdateImageRequest(DeletionProtection: fields.Contains("deletion_protection") ? request.DeletionProtection : null);
    }

    /// <summary>A state now (unspecified: none), times to schedule, and times to clear (REST's null).</summary>
    public static DeprecateRequest Deprecate(StratumGrpc.DeprecateImageRequest request)
    {
        var clear = LifecycleTimes.None;
        for (var i = 0; i < request.Clear.Count; i++)
        {
            clear |= Enum(request.Clear[i], $"clear[{i}]") switch
            {
                LifecycleTime.DeprecateAt => LifecycleTimes.DeprecateAt,
                LifecycleTime.ObsoleteAt => LifecycleTimes.ObsoleteAt,
                LifecycleTime.DeleteAt => LifecycleTimes.DeleteAt,
                _ => throw StratumException.Invalid($"clear[{i}] must name DEPRECATE_AT, OBSOLETE_AT or DELETE_AT."),
            };
        }
        var state = Enum(request.State, "state") switch
        {
            GrpcDeprecationState.Active => DeprecationState.Active,
            GrpcDeprecationState.Deprecated => DeprecationState.Deprecated,
            GrpcDeprecationState.Obsolete => DeprecationState.Obsolete,
            _ => (DeprecationState?)null,
        };
        return new DeprecateRequest(state, Given(request.Replacement),
            Time(request.DeprecateAt, "deprecateAt"), Time(request.ObsoleteAt, "obsoleteAt"), Time(request.DeleteAt, "deleteAt"), clear);
    }

    /// <summary>A percent now (if given) and the steps that remain scheduled; neither is refused by the grain, as <c>{}</c> on REST.</summary>
    public static RolloutRequest Rollout(StratumGrpc.RolloutImageRequest request) =>
        new(request.HasPercent ? request.Percent : null, Steps(request.Steps, "steps"));

    public static ImageView View(StratumGrpc.ImageView view) => Enum(view, "view") == StratumGrpc.ImageView.RecycleBin ? ImageView.RecycleBin : ImageView.Default;

    private static List<Stratum.RolloutStep>? Steps(RepeatedField<StratumGrpc.RolloutStep> steps, string field) =>
        steps.Count == 0 ? null : steps.Select((s, i) => new Stratum.RolloutStep(s.Percent,
            Time(s.At, $"{field}[{i}].at") ?? throw StratumException.Invalid($"{field}[{i}].at is required: when the step takes effect."))).ToList();

    /// <summary>A timestamp that may be absent; one protobuf itself cannot read as a time is bad input, not our fault.</summary>
    private static DateTimeOffset? Time(Timestamp? at, string field)
    {
        if (at is null)
        {
            return null;
        }
        try
        {
            return at.ToDateTimeOffset();
        }
        catch (InvalidOperationException)
        {
            throw StratumException.Invalid($"{field} is not a valid timestamp (seconds {at.Seconds}, nanos {at.Nanos}).");
        }
    }
}
