using Microsoft.Extensions.DependencyInjection;
using Stratum.Diagnostics;
using Stratum.Tests.Infrastructure;

namespace Stratum.Tests.Gateway;

/// <summary>
/// An image copied while its create is accepted reports every stage of its way, as one copied in
/// the background does (the load tool's images report had no image.finish for it). The collection's
/// tests run one at a time and wait for what they create, so the counts move only by this test.
/// </summary>
[Collection(GatewayCollection.Name)]
public sealed class ImageStageTimingsTests(GatewayFixture fixture)
{
    private readonly HttpClient _admin = fixture.Stratum.Http();

    [Fact]
    public async Task An_image_copied_on_accept_reports_its_accept_transfer_and_finish()
    {
        var folderId = await _admin.CreateFolderAsync();
        var source = (await _admin.DoneAsync(HttpMethod.Post, "/compute/v1/images",
            new { folderId, uri = fixture.Files.Add(Names.Unique("stages"), DiskImages.Raw(4096)) })).Str("id");
        var before = Counts();

        var copy = await _admin.DoneAsync(HttpMethod.Post, "/compute/v1/images", new { folderId, imageId = source });

        var after = Counts();
        Assert.Equal("READY", copy.Str("status"));
        Assert.Equal((1L, 1L, 1L), (after.Accept - before.Accept, after.Transfer - before.Transfer, after.Finish - before.Finish));
    }

    private (long Accept, long Transfer, long Finish) Counts()
    {
        var readings = fixture.Stratum.Cluster.Silos.Select(s => s.ServiceProvider.GetRequiredService<StageTimings>().Read()).ToList();
        long Count(string stage) => readings.Sum(r => r.TryGetValue(stage, out var reading) ? reading.Count : 0);
        return (Count(StageTimings.ImageAccept), Count(StageTimings.ImageTransfer), Count(StageTimings.ImageFinish));
    }
}
