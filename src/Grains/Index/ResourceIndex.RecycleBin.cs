using Azure.Data.Tables;

namespace Stratum.Index;

/// <summary>
/// The recycle bin's rows: an image in the bin has its rows in a partition of its own, so the
/// folder's lists never see it and the bin's list is a range read like any other.
/// </summary>
public sealed partial class ResourceIndex
{
    /// <summary>Moves an image's rows into the bin (idempotent: rerun after a crash, it ends the same).</summary>
    public async Task MoveToRecycleBinAsync(Image image, IReadOnlyList<AccessBinding> bindings)
    {
        await _created.Value;
        await _table.SubmitTransactionAsync(ImageOrdering.All.Select(o => new TableTransactionAction(TableTransactionActionType.UpsertReplace, BinRow(image, o, bindings))));
        await DeleteImageAsync(image);
    }

    /// <summary>Moves an image's rows back out of the bin (idempotent).</summary>
    public async Task RestoreFromRecycleBinAsync(Image image, IReadOnlyList<AccessBinding> bindings)
    {
        await UpsertImageAsync(image, previous: null, bindings);
        await RemoveFromRecycleBinAsync(image);
    }

    /// <summary>Removes an image's bin rows (when it is purged, or restored).</summary>
    public async Task RemoveFromRecycleBinAsync(Image image)
    {
        await _created.Value;
        await DeleteRowsAsync(ImageOrdering.All.Select(o => (BinPartition(image.FolderId), ImageRowKey(o, image))).ToList());
    }

    private static TableEntity BinRow(Image image, ImageOrdering ordering, IReadOnlyList<AccessBinding> bindings)
    {
        var row = ImageRow(image, ordering, bindings);
        row.PartitionKey = BinPartition(image.FolderId);
        return row;
    }

    private static string BinPartition(string folderId) => $"{folderId}|bin";
}
