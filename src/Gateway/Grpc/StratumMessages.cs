using Google.Protobuf.WellKnownTypes;
using Stratum.Grpc.Compute.V1;
using GrpcDeprecationState = Stratum.Grpc.Compute.V1.DeprecationState;
using GrpcImageFormat = Stratum.Grpc.Compute.V1.ImageFormat;

namespace Stratum.Gateway.Grpc;

/// <summary>Stratum's resources as its own <c>stratum.compute.v1</c> messages: what is beyond the provider's.</summary>
public static class StratumMessages
{
    public static ImageDetails ToDetails(Stratum.Image image)
    {
        var details = new ImageDetails
        {
            Image = ResourceMessages.ToMessage(image),
            Format = ToMessage(image.Format),
            Checksum = image.Checksum ?? "",
            LayerId = image.LayerId ?? "",
            Deprecation = ToMessage(image.Deprecation),
            Rollout = ToMessage(image.Rollout ?? Stratum.Rollout.Full),
            DeletionProtection = image.DeletionProtection,
            DeletedAt = Time(image.DeletedAt),
            PurgeAt = Time(image.PurgeAt),
        };
        if (image.FamilySequence is { } sequence)
        {
            details.FamilySequence = sequence;
        }
        if (image.ScheduleFailure is { } failure)
        {
            details.ScheduleFailure = new Stratum.Grpc.Compute.V1.ScheduleFailure
            {
                Schedule = failure.Schedule,
                At = Timestamp.FromDateTimeOffset(failure.At),
                Error = new Google.Rpc.Status { Code = (int)failure.Error.Code, Message = failure.Error.Message },
            };
        }
        return details;
    }

    public static Family ToMessage(FamilySummary family)
    {
        var message = new Family
        {
            Name = family.Name,
            FolderId = family.FolderId,
            LatestImageId = family.LatestImageId ?? "",
            ImageCount = family.ImageCount,
        };
        message.Rollouts.Add((family.Rollouts ?? []).Select(r => new Stratum.Grpc.Compute.V1.FamilyRollout { ImageId = r.ImageId, Percent = r.Percent }));
        return message;
    }

    public static Stratum.Grpc.Compute.V1.Layer ToMessage(Stratum.Layer layer)
    {
        var message = new Stratum.Grpc.Compute.V1.Layer
        {
            Id = layer.Id,
            Size = layer.Size,
            Checksum = layer.Checksum,
            Status = layer.Status,
            ReferenceCount = layer.ReferenceCount,
        };
        message.ImageIds.Add(layer.ImageIds);
        return message;
    }

    public static Stratum.Grpc.Compute.V1.UploadTarget ToMessage(Stratum.UploadTarget target) => new()
    {
        UploadId = target.UploadId,
        UploadUrl = target.UploadUrl,
        ExpiresAt = Timestamp.FromDateTimeOffset(target.ExpiresAt),
    };

    public static Stratum.Grpc.Compute.V1.ImageExport ToMessage(Stratum.ImageExport export) => new()
    {
        Url = export.Url,
        ExpiresAt = Timestamp.FromDateTimeOffset(export.ExpiresAt),
        Size = export.Size,
        Format = ToMessage(export.Format),
        Checksum = export.Checksum ?? "",
    };

    public static Stratum.Grpc.Compute.V1.RecycleBin ToRecycleBin(Folder folder) => new()
    {
        FolderId = folder.Id,
        RetentionHours = folder.RecycleBin?.RetentionHours ?? 0,
    };

    public static Stratum.Grpc.Compute.V1.RolloutStep ToMessage(Stratum.RolloutStep step) => new()
    {
        Percent = step.Percent,
        At = Timestamp.FromDateTimeOffset(step.At),
    };

    private static Stratum.Grpc.Compute.V1.Deprecation ToMessage(Stratum.Deprecation deprecation) => new()
    {
        State = deprecation.State switch
        {
            Stratum.DeprecationState.Active => GrpcDeprecationState.Active,
            Stratum.DeprecationState.Deprecated => GrpcDeprecationState.Deprecated,
            Stratum.DeprecationState.Obsolete => GrpcDeprecationState.Obsolete,
            _ => GrpcDeprecationState.Unspecified,
        },
        Replacement = deprecation.Replacement ?? "",
        DeprecateAt = Time(deprecation.DeprecateAt),
        ObsoleteAt = Time(deprecation.ObsoleteAt),
        DeleteAt = Time(deprecation.DeleteAt),
    };

    private static Stratum.Grpc.Compute.V1.Rollout ToMessage(Stratum.Rollout rollout)
    {
        var message = new Stratum.Grpc.Compute.V1.Rollout { Percent = rollout.Percent };
        message.Steps.Add((rollout.Steps ?? []).Select(ToMessage));
        return message;
    }

    private static GrpcImageFormat ToMessage(Stratum.ImageFormat? format) => format switch
    {
        Stratum.ImageFormat.Qcow2 => GrpcImageFormat.Qcow2,
        Stratum.ImageFormat.Vmdk => GrpcImageFormat.Vmdk,
        Stratum.ImageFormat.Vhd => GrpcImageFormat.Vhd,
        Stratum.ImageFormat.Raw => GrpcImageFormat.Raw,
        _ => GrpcImageFormat.Unspecified,
    };

    /// <summary>A time that may be absent: an unset message field then.</summary>
    private static Timestamp? Time(DateTimeOffset? at) => at is { } value ? Timestamp.FromDateTimeOffset(value) : null;
}
