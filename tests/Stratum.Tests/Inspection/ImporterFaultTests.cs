using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Specialized;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Stratum.Import;
using Stratum.Tests.Infrastructure;

namespace Stratum.Tests.Inspection;

/// <summary>The importer's own faults: an image store that is down is code 14, without the exception's text.</summary>
public sealed class ImporterFaultTests
{
    [Fact]
    public async Task An_unreachable_image_store_is_code_14_and_says_so_in_our_words()
    {
        var port = FreePort();
        var options = new BlobClientOptions { Retry = { MaxRetries = 0, NetworkTimeout = TimeSpan.FromSeconds(5) } };
        var store = new BlockBlobClient(
            $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;BlobEndpoint=http://127.0.0.1:{port}/devstoreaccount1;",
            "images", "unreachable", options);
        var importer = new ImageImporter(Options.Create(new ImportOptions()), NullLogger<ImageImporter>.Instance);

        var error = await Assert.ThrowsAsync<StratumException>(() =>
            importer.ImportAsync(new BytesSource(DiskImages.Qcow2(8 * DiskImages.MiB)), store, new UnlimitedQuota(), new ImportRequirements(null, null), default));

        Assert.Equal(ErrorCode.Unavailable, error.Code);
        Assert.StartsWith("The image store is unavailable", error.Message);
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    private sealed class BytesSource(byte[] bytes) : IImportSource
    {
        public string Name => "test bytes";

        public Task<ImportBody> OpenAsync(TimeSpan idle, CancellationToken cancellation) =>
            Task.FromResult(new ImportBody(new MemoryStream(bytes), bytes.Length));
    }

    private sealed class UnlimitedQuota : IImportQuota
    {
        public Task<long> ReserveAsync(long total, bool upToLimit) => Task.FromResult(total);
    }
}
