using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Specialized;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Stratum.Import;
using Stratum.Tests.Infrastructure;

namespace Stratum.Tests.Inspection;

/// <summary>
/// The importer's own faults: an image store that is down is code 14, without the exception's text; a source
/// whose stream answers a cancelled read with IOException (as a socket's stream may) is named for the timeout that ended it.
/// </summary>
public sealed class ImporterFaultTests
{
    [Fact]
    public async Task An_unreachable_image_store_is_code_14_and_says_so_in_our_words()
    {
        var port = Tools.AzuriteProcess.FreePort();
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

    [Fact]
    public async Task A_read_cancelled_by_the_idle_timeout_that_throws_IOException_is_named_for_the_timeout()
    {
        var importer = new ImageImporter(Options.Create(new ImportOptions { IdleTimeout = TimeSpan.FromMilliseconds(200) }), NullLogger<ImageImporter>.Instance);

        var error = await Assert.ThrowsAsync<StratumException>(() =>
            importer.ImportAsync(new StalledSource(), UnreachableStore(), new UnlimitedQuota(), new ImportRequirements(null, null), default));

        Assert.Equal(ErrorCode.FailedPrecondition, error.Code);
        Assert.Equal("The import source stalled source sent no data for 0 s after 0 bytes.", error.Message);
    }

    [Fact]
    public async Task A_read_cancelled_by_the_import_deadline_that_throws_IOException_is_named_for_the_deadline()
    {
        var options = new ImportOptions { IdleTimeout = TimeSpan.FromMinutes(1), Deadline = TimeSpan.FromMilliseconds(200) };
        var importer = new ImageImporter(Options.Create(options), NullLogger<ImageImporter>.Instance);

        var error = await Assert.ThrowsAsync<StratumException>(() =>
            importer.ImportAsync(new StalledSource(), UnreachableStore(), new UnlimitedQuota(), new ImportRequirements(null, null), default));

        Assert.Equal(ErrorCode.FailedPrecondition, error.Code);
        Assert.Equal($"The import source stalled source did not finish within the import deadline of {options.Deadline}.", error.Message);
    }

    /// <summary>No block is ever staged by a source that sends nothing: the store is never reached.</summary>
    private static BlockBlobClient UnreachableStore() => new(
        $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;BlobEndpoint=http://127.0.0.1:{Tools.AzuriteProcess.FreePort()}/devstoreaccount1;",
        "images", "never-staged");

    private sealed class BytesSource(byte[] bytes) : IImportSource
    {
        public string Name => "test bytes";

        public Task<ImportBody> OpenAsync(TimeSpan idle, CancellationToken cancellation) =>
            Task.FromResult(new ImportBody(new MemoryStream(bytes), bytes.Length));
    }

    /// <summary>Sends nothing; a cancelled read throws IOException, as SocketsHttpHandler's response stream may.</summary>
    private sealed class StalledSource : IImportSource
    {
        public string Name => "stalled source";

        public Task<ImportBody> OpenAsync(TimeSpan idle, CancellationToken cancellation) =>
            Task.FromResult(new ImportBody(new StalledStream(), null));
    }

    private sealed class StalledStream : Stream
    {
        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            try
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }
            catch (OperationCanceledException e)
            {
                throw new IOException("The operation was canceled.", e);
            }
            return 0;
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    private sealed class UnlimitedQuota : IImportQuota
    {
        public Task<long> ReserveAsync(long total, bool upToLimit) => Task.FromResult(total);
    }
}
