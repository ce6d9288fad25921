using Google.Protobuf.WellKnownTypes;
using Yandex.Cloud.Compute.V1;

namespace Stratum.Gateway.Grpc;

/// <summary>Stratum's resources as the provider's messages (Stratum's own views: <see cref="StratumMessages"/>).</summary>
public static class ResourceMessages
{
    public static Yandex.Cloud.Compute.V1.Image ToMessage(Stratum.Image image)
    {
        var message = new Yandex.Cloud.Compute.V1.Image
        {
            Id = image.Id,
            FolderId = image.FolderId,
            CreatedAt = Timestamp.FromDateTimeOffset(image.CreatedAt),
            Name = image.Name ?? "",
            Description = image.Description,
            Family = image.Family ?? "",
            StorageSize = image.StorageSize,
            MinDiskSize = image.MinDiskSize,
            Status = image.Status switch
            {
                ImageStatus.Creating => Yandex.Cloud.Compute.V1.Image.Types.Status.Creating,
                ImageStatus.Ready => Yandex.Cloud.Compute.V1.Image.Types.Status.Ready,
                ImageStatus.Error => Yandex.Cloud.Compute.V1.Image.Types.Status.Error,
                ImageStatus.Deleting => Yandex.Cloud.Compute.V1.Image.Types.Status.Deleting,
                ImageStatus.Deleted => Yandex.Cloud.Compute.V1.Image.Types.Status.Deleted,
                _ => Yandex.Cloud.Compute.V1.Image.Types.Status.Unspecified,
            },
            Os = new Os { Type = image.Os.Type == OsType.Windows ? Os.Types.Type.Windows : Os.Types.Type.Linux },
            Pooled = image.Pooled,
        };
        Fill(message.Labels, image.Labels);
        message.ProductIds.Add(image.ProductIds);
        return message;
    }

    public static Yandex.Cloud.Compute.V1.Disk ToMessage(Stratum.Disk disk)
    {
        var message = new Yandex.Cloud.Compute.V1.Disk
        {
            Id = disk.Id,
            FolderId = disk.FolderId,
            CreatedAt = Timestamp.FromDateTimeOffset(disk.CreatedAt),
            Name = disk.Name ?? "",
            Description = disk.Description ?? "",
            TypeId = disk.TypeId ?? "",
            ZoneId = disk.ZoneId ?? "",
            Size = disk.Size,
            BlockSize = DiskBlockSize,
            Status = (Yandex.Cloud.Compute.V1.Disk.Types.Status)StatusNumber(disk.Status),
        };
        if (disk.SourceImageId is { } imageId)
        {
            message.SourceImageId = imageId;
        }
        else if (disk.SourceSnapshotId is { } snapshotId)
        {
            message.SourceSnapshotId = snapshotId;
        }
        if (disk.InstanceId is { } instanceId)
        {
            message.InstanceIds.Add(instanceId);
        }
        Fill(message.Labels, disk.Labels);
        return message;
    }

    /// <summary>The one block size of Stratum's disks.</summary>
    public const long DiskBlockSize = 4096;

    public static Yandex.Cloud.Compute.V1.Snapshot ToMessage(Stratum.Snapshot snapshot)
    {
        var message = new Yandex.Cloud.Compute.V1.Snapshot
        {
            Id = snapshot.Id,
            FolderId = snapshot.FolderId,
            CreatedAt = Timestamp.FromDateTimeOffset(snapshot.CreatedAt),
            Name = snapshot.Name ?? "",
            Description = snapshot.Description ?? "",
            StorageSize = snapshot.StorageSize,
            DiskSize = snapshot.DiskSize,
            Status = (Yandex.Cloud.Compute.V1.Snapshot.Types.Status)StatusNumber(snapshot.Status),
            SourceDiskId = snapshot.SourceDiskId,
        };
        Fill(message.Labels, snapshot.Labels);
        return message;
    }

    /// <summary>An instance; its metadata only in the FULL view, as the provider shows it.</summary>
    public static Yandex.Cloud.Compute.V1.Instance ToMessage(Stratum.Instance instance, bool full)
    {
        var message = new Yandex.Cloud.Compute.V1.Instance
        {
            Id = instance.Id,
            FolderId = instance.FolderId,
            CreatedAt = Timestamp.FromDateTimeOffset(instance.CreatedAt),
            Name = instance.Name ?? "",
            Description = instance.Description ?? "",
            ZoneId = instance.ZoneId ?? "",
            PlatformId = instance.PlatformId ?? "",
            Status = instance.Status switch
            {
                InstanceStatus.Provisioning => Yandex.Cloud.Compute.V1.Instance.Types.Status.Provisioning,
                InstanceStatus.Running => Yandex.Cloud.Compute.V1.Instance.Types.Status.Running,
                InstanceStatus.Stopped => Yandex.Cloud.Compute.V1.Instance.Types.Status.Stopped,
                InstanceStatus.Deleting => Yandex.Cloud.Compute.V1.Instance.Types.Status.Deleting,
                InstanceStatus.Error => Yandex.Cloud.Compute.V1.Instance.Types.Status.Error,
                _ => Yandex.Cloud.Compute.V1.Instance.Types.Status.Unspecified,
            },
            BootDisk = new AttachedDisk
            {
                DiskId = instance.BootDisk.DiskId,
                AutoDelete = instance.BootDisk.AutoDelete,
                Mode = AttachedDisk.Types.Mode.ReadWrite,
            },
        };
        if (instance.Resources is { } resources)
        {
            message.Resources = new Resources { Memory = resources.Memory, Cores = resources.Cores, CoreFraction = resources.CoreFraction, Gpus = resources.Gpus };
        }
        Fill(message.Labels, instance.Labels);
        if (full)
        {
            Fill(message.Metadata, instance.Metadata);
        }
        return message;
    }

    public static Yandex.Cloud.Access.AccessBinding ToMessage(AccessBinding binding) => new()
    {
        RoleId = binding.RoleId,
        Subject = new Yandex.Cloud.Access.Subject { Id = binding.Subject.Id, Type = Subject.TypeName(binding.Subject.Type) },
    };

    private static void Fill(Google.Protobuf.Collections.MapField<string, string> map, IReadOnlyDictionary<string, string>? values)
    {
        foreach (var (key, value) in values ?? new Dictionary<string, string>())
        {
            map[key] = value;
        }
    }

    /// <summary>Disk and snapshot statuses have the provider's numbers in the same order (CREATING = 1).</summary>
    private static int StatusNumber(DiskStatus status) => status <= DiskStatus.Deleting ? (int)status + 1 : 0;
}
