using Azure.Data.Tables;
using Stratum.Index;
using Stratum.Tests.Infrastructure;

namespace Stratum.Tests.Cluster;

/// <summary>
/// The image list stays a range read at any folder size: 20,000 entries in one folder, paged
/// through the catalog grain, each returned once and in order.
/// </summary>
public sealed class ListingScaleTests
{
    private const int Entries = 20_000;

    [Fact]
    public async Task Twenty_thousand_images_in_one_folder_page_through_completely()
    {
        await using var stratum = await StratumCluster.StartAsync();
        var admin = stratum.Http();
        var folderId = await admin.CreateFolderAsync();

        // Written straight into the projection in batches, as 20,000 imports would leave it,
        // so the test measures listing, not importing.
        var table = new TableServiceClient(stratum.Azurite.ConnectionString).GetTableClient(stratum.IndexTable);
        var images = Enumerable.Range(0, Entries).Select(i => new Image(ResourceIds.New(ResourceIds.Image), folderId, DateTimeOffset.UtcNow,
            $"image-{i:D5}", "", new Dictionary<string, string>(), i % 10 == 0 ? "tenth" : null, 4096, 4 << 20, [], ImageStatus.Ready,
            new OsInfo(OsType.Linux), false, ImageFormat.Raw, null, null, Deprecation.Active, null)).ToList();
        foreach (var batch in images.Chunk(100))
        {
            await table.SubmitTransactionAsync(batch.Select(i => new TableTransactionAction(TableTransactionActionType.UpsertReplace, ResourceIndex.ImageRow(i, ImageOrdering.IdAsc, []))));
        }

        var catalog = stratum.Client.GetGrain<IImageCatalogGrain>(0);
        using var asAdmin = TestCallers.ActAs(Caller.User("admin"));
        var seen = new List<string>();
        var pages = await Paging.EachPageAsync(async token =>
        {
            var page = await catalog.ListAsync(Caller.User("admin"), folderId, new ListQuery(1000, token));
            return (page.Items, page.NextPageToken);
        }, items => seen.AddRange(items.Select(i => i.Id)));

        Assert.Equal(Entries, seen.Count);
        Assert.Equal(Entries, seen.Distinct().Count());
        Assert.Equal(images.Select(i => i.Id).Order(StringComparer.Ordinal), seen);
        Assert.True(pages >= Entries / 1000, $"{pages} pages");

        var count = 0;
        await Paging.EachPageAsync(async token =>
        {
            var page = await catalog.ListAsync(Caller.User("admin"), folderId, new ListQuery(1000, token, "family = 'tenth'"));
            return (page.Items, page.NextPageToken);
        }, items => count += items.Count);
        Assert.Equal(Entries / 10, count);
    }
}
