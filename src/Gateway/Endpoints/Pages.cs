using System.ComponentModel;

namespace Stratum.Gateway.Endpoints;

// The list bodies of the contract, `{"<plural>": [...], "nextPageToken": "..."}`, as named types so
// that the OpenAPI document describes each. The token is left out on the last page.

[Description("A page of folders; nextPageToken is absent on the last page.")]
public sealed record FolderPage(IReadOnlyList<Folder> Folders, string? NextPageToken)
{
    public static FolderPage Of(Page<Folder> page) => new(page.Items, page.NextPageToken);
}

[Description("A page of images; nextPageToken is absent on the last page.")]
public sealed record ImagePage(IReadOnlyList<Image> Images, string? NextPageToken)
{
    public static ImagePage Of(Page<Image> page) => new(page.Items, page.NextPageToken);
}

[Description("A page of families; nextPageToken is absent on the last page.")]
public sealed record FamilyPage(IReadOnlyList<FamilySummary> Families, string? NextPageToken)
{
    public static FamilyPage Of(Page<FamilySummary> page) => new(page.Items, page.NextPageToken);
}

[Description("A page of disks; nextPageToken is absent on the last page.")]
public sealed record DiskPage(IReadOnlyList<Disk> Disks, string? NextPageToken)
{
    public static DiskPage Of(Page<Disk> page) => new(page.Items, page.NextPageToken);
}

[Description("A page of snapshots; nextPageToken is absent on the last page.")]
public sealed record SnapshotPage(IReadOnlyList<Snapshot> Snapshots, string? NextPageToken)
{
    public static SnapshotPage Of(Page<Snapshot> page) => new(page.Items, page.NextPageToken);
}

[Description("A page of instances; nextPageToken is absent on the last page.")]
public sealed record InstancePage(IReadOnlyList<Instance> Instances, string? NextPageToken)
{
    public static InstancePage Of(Page<Instance> page) => new(page.Items, page.NextPageToken);
}

[Description("The operations of a resource, oldest first.")]
public sealed record OperationList(IReadOnlyList<Operation> Operations);

[Description("The access bindings of a folder or an image.")]
public sealed record AccessBindingList(IReadOnlyList<AccessBinding> AccessBindings);

[Description("A folder's quotas: each limit and what is used of it.")]
public sealed record QuotaList(IReadOnlyList<Quota> Quotas);
