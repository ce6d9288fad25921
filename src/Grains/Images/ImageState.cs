namespace Stratum.Images;

/// <summary>An image's record: the resource plus what its unfinished work needs to resume.</summary>
[GenerateSerializer, Alias("Stratum.ImageState")]
public sealed class ImageState
{
    [Id(0)] public Image? Image { get; set; }
    [Id(1)] public string? CreateOperationId { get; set; }
    [Id(2)] public CreateImageRequest? Request { get; set; }
    [Id(3)] public Caller? CreatedBy { get; set; }
    [Id(4)] public List<AccessBinding> Bindings { get; set; } = [];
    [Id(5)] public List<string> OperationIds { get; set; } = [];

    /// <summary>The size of the disk the data describes (a qcow2's virtual size, a raw file's length).</summary>
    [Id(6)] public long VirtualSize { get; set; }

    /// <summary>Bytes of compute.images.size this image holds in its folder.</summary>
    [Id(7)] public long HeldSize { get; set; }
    [Id(8)] public string? DeleteOperationId { get; set; }

    /// <summary>The blob a copy is made from (an image's, a disk's, a snapshot's or a layer's); null for an import.</summary>
    [Id(9)] public string? SourceBlob { get; set; }

    /// <summary>
    /// An import reservation still to be settled at the folder: the bytes the image keeps (0 when
    /// it failed). Settling is idempotent, so it is sent again on activation until cleared.
    /// </summary>
    [Id(10)] public long? SettleImport { get; set; }

    /// <summary>A move into ("in") or out of ("out") the recycle bin whose family and index steps are not all done yet.</summary>
    [Id(20)] public string? BinMove { get; set; }

    /// <summary>
    /// The create's operation when the image was READY as it was accepted: held in this record (the
    /// one write of such a create) instead of a record of its own, and answered from here by the
    /// operation's grain; written to its own record before this one is cleared.
    /// </summary>
    [Id(40)] public Operation? CreateOperation { get; set; }

    public const int MaxOperationIds = 100;

    public void AddOperation(string operationId)
    {
        if (!OperationIds.Contains(operationId))
        {
            OperationIds.Add(operationId);
            if (OperationIds.Count > MaxOperationIds)
            {
                OperationIds.RemoveAt(0);
            }
        }
    }
}
