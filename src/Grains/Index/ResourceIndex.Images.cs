using System.Text.Json;
using Azure;
using Azure.Data.Tables;

namespace Stratum.Index;

/// <summary>
/// The image lists: one row per image and ordering. A folder's rows share one partition, whose row
/// keys begin with the ordering's suffix, so a page of any ordering is a range read and one image's
/// rows (with those a rename leaves behind) are written in one table transaction.
/// </summary>
public sealed partial class ResourceIndex
{
    private static readonly IReadOnlyList<FilterExpression.Field> ImageFields =
    [
        new("id", "Id"), new("name", "Name"), new("family", "Family"), FilterExpression.Field.Of<ImageStatus>("status", "Status"),
        FilterExpression.Field.Of<ImageFormat>("format", "Format"), new("pooled", "Pooled", IsBoolean: true),
        FilterExpression.Field.Of<OsType>("os.type", "OsType"), FilterExpression.Field.Of<DeprecationState>("deprecation.state", "DeprecationState"),
    ];

    /// <summary>
    /// Writes an image's rows. Its own bindings ride along (Shared, Readers) so a caller who may not
    /// read the folder can still be shown the images shared with them, public ones included. The
    /// rows of every ordering share the folder's partition, so they (and the rows a rename leaves
    /// behind) are one transaction: one request, and never some orderings changed without the others.
    /// </summary>
    public async Task UpsertImageAsync(Image image, Image? previous, IReadOnlyList<AccessBinding> bindings)
    {
        await _created.Value;
        var upserts = ImageOrdering.All.Select(o => new TableTransactionAction(TableTransactionActionType.UpsertReplace, ImageRow(image, o, bindings))).ToList();
        var stale = previous is null ? [] : ImageOrdering.All
            .Where(o => o.RowKey(previous) != o.RowKey(image) || previous.FolderId != image.FolderId)
            .Select(o => (Partition: ImagePartition(previous.FolderId), RowKey: ImageRowKey(o, previous)))
            .ToList();
        if (stale.Count == 0 || stale.Any(r => r.Partition != ImagePartition(image.FolderId)))
        {
            await _table.SubmitTransactionAsync(upserts);
            await DeleteRowsAsync(stale);
            return;
        }
        try
        {
            await _table.SubmitTransactionAsync(upserts.Concat(stale.Select(r => new TableTransactionAction(TableTransactionActionType.Delete, new TableEntity(r.Partition, r.RowKey)))));
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            // A row a rename leaves behind is gone already (this is a repeat after a crash): the
            // transaction changed nothing, so write the rows and delete what is left one by one.
            await _table.SubmitTransactionAsync(upserts);
            await DeleteRowsAsync(stale);
        }
    }

    public async Task DeleteImageAsync(Image image)
    {
        await _created.Value;
        await DeleteRowsAsync(ImageOrdering.All.Select(o => (ImagePartition(image.FolderId), ImageRowKey(o, image))).ToList());
    }

    /// <summary>
    /// A page of a folder's images (or of its recycle bin); with <paramref name="sharedWith"/>, only
    /// those its own bindings show that subject.
    /// </summary>
    public async Task<Page<Image>> QueryImagesAsync(string folderId, ListQuery query, Subject? sharedWith = null, ImageView view = ImageView.Default)
    {
        var ordering = ImageOrdering.Parse(query.OrderBy);
        var filter = FilterExpression.ToOData(query.Filter, ImageFields);
        var inBin = view == ImageView.RecycleBin;
        // An ordering's rows are the range of the folder's partition whose keys begin with its prefix ('|' + 1 is '}').
        var partition = $"PartitionKey eq '{(inBin ? BinPartition(folderId) : ImagePartition(folderId))}' and RowKey gt '{ordering.Suffix}|' and RowKey lt '{ordering.Suffix}}}'"
            + (sharedWith is null ? "" : " and Shared eq true");
        return await QueryAsync(filter is null ? partition : $"{partition} and {filter}", query, inBin ? $"{ordering.Name}|bin" : ordering.Name,
            e => JsonSerializer.Deserialize<Image>(e.GetString("Data"), Json)!,
            sharedWith is null ? null : e => IsMember(e.GetString("Readers"), sharedWith));
    }

    /// <summary>Deletes rows of one partition in one transaction; when some are gone already, the rest one by one.</summary>
    private async Task DeleteRowsAsync(IReadOnlyList<(string Partition, string RowKey)> rows)
    {
        if (rows.Count == 0)
        {
            return;
        }
        if (rows.Select(r => r.Partition).Distinct().Count() == 1)
        {
            try
            {
                await _table.SubmitTransactionAsync(rows.Select(r => new TableTransactionAction(TableTransactionActionType.Delete, new TableEntity(r.Partition, r.RowKey))));
                return;
            }
            catch (RequestFailedException e) when (e.Status == 404)
            {
                // One of them is gone (a repeat after a crash): the transaction deleted nothing.
            }
        }
        await Task.WhenAll(rows.Select(r => DeleteIfExistsAsync(r.Partition, r.RowKey)));
    }

    internal static TableEntity ImageRow(Image image, ImageOrdering ordering, IReadOnlyList<AccessBinding> bindings) => new(ImagePartition(image.FolderId), ImageRowKey(ordering, image))
    {
        ["Shared"] = bindings.Count > 0,
        ["Readers"] = "|" + string.Join("|", bindings.Select(b => b.Subject.ToString()).Distinct()) + "|",
        ["Id"] = image.Id,
        ["Name"] = image.Name ?? "",
        ["Family"] = image.Family ?? "",
        ["Status"] = ContractNames.Of(image.Status),
        ["Format"] = image.Format is { } format ? ContractNames.Of(format) : "",
        ["Pooled"] = image.Pooled,
        ["OsType"] = ContractNames.Of(image.Os.Type),
        ["DeprecationState"] = ContractNames.Of(image.Deprecation.State),
        ["Data"] = JsonSerializer.Serialize(image, Json),
    };

    /// <summary>A folder's image rows, every ordering in one partition (so one image's rows are one transaction).</summary>
    private static string ImagePartition(string folderId) => $"{folderId}|images";

    /// <summary>An image's row in an ordering: the ordering's prefix, then its sort key.</summary>
    private static string ImageRowKey(ImageOrdering ordering, Image image) => $"{ordering.Suffix}|{ordering.RowKey(image)}";
}
