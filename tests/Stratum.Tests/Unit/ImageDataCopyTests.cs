using Azure.Storage.Blobs.Models;
using Stratum.Images;

namespace Stratum.Tests.Unit;

/// <summary>A server-side copy that ended any way but "success" makes no image of its partial blob.</summary>
public sealed class ImageDataCopyTests
{
    [Theory]
    [InlineData(CopyStatus.Failed)]
    [InlineData(CopyStatus.Aborted)]
    [InlineData(CopyStatus.Pending)]
    [InlineData(null)]
    public void A_copy_that_did_not_succeed_is_an_error_naming_its_blob_and_reason(CopyStatus? status)
    {
        var error = Assert.Throws<InvalidOperationException>(() => ImageData.EnsureCopied("img1", status, "500 InternalError"));
        Assert.Contains("'img1'", error.Message);
        Assert.Contains(status is null ? "without a status" : "500 InternalError", error.Message);
    }

    [Fact]
    public void A_copy_that_succeeded_passes() => Assert.Null(Record.Exception(() => ImageData.EnsureCopied("img1", CopyStatus.Success, null)));
}
