using System.Buffers;
using System.Buffers.Binary;
using System.Security.Cryptography;
using Azure;
using Azure.Storage.Blobs.Specialized;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Stratum.Import.Inspection;

namespace Stratum.Import;

/// <summary>What an import found in the file.</summary>
public sealed record ImportResult(long Bytes, string Checksum, ImageFormat Format, long VirtualSize);

/// <summary>What the create request demands of the bytes: a format, and a minDiskSize the disk must fit in.</summary>
public sealed record ImportRequirements(ImageFormat? Format, long? MinDiskSize);

/// <summary>
/// Moves an image's bytes from a source into the image store once, front to back: each chunk is
/// inspected (<see cref="FormatInspector"/>) and hashed as it is read, while the blocks before it
/// are staged in parallel; the blob is committed only when the inspector accepts the whole file,
/// so a refused import never leaves data behind. Quota is reserved before data moves when the
/// length is known, else step by step as it streams (stopping at the folder's limit). Deadlines:
/// the source's connect timeout, <see cref="ImportOptions.IdleTimeout"/> without a byte, and
/// <see cref="ImportOptions.Deadline"/> for the whole import.
/// </summary>
public sealed class ImageImporter(IOptions<ImportOptions> options, ILogger<ImageImporter> logger)
{
    /// <summary>How much quota an import of unknown length reserves ahead of its data.</summary>
    private const long ReserveStep = 64L << 20;
    private const int MaxBlocks = 50_000;

    private readonly ImportOptions _options = options.Value;

    public async Task<ImportResult> ImportAsync(IImportSource source, BlockBlobClient target, IImportQuota quota, ImportRequirements requirements, CancellationToken cancellation)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        deadline.CancelAfter(_options.Deadline);
        var blocks = new BlockStager(target, BlockSize(), _options.ParallelBlocks);
        try
        {
            await using var body = await source.OpenAsync(_options.IdleTimeout, deadline.Token);
            var reserved = await ReserveKnownLengthAsync(body.Length, quota);
            var inspector = new FormatInspector(requirements.Format);
            using var sha256 = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            using var idle = CancellationTokenSource.CreateLinkedTokenSource(deadline.Token);
            long bytes = 0;
            while (true)
            {
                var read = await ReadAsync(body.Stream, blocks.Free, source.Name, bytes, body.Length, idle, cancellation, deadline.Token);
                if (read.IsEmpty)
                {
                    break;
                }
                bytes += read.Length;
                if (bytes > _options.MaxBytes)
                {
                    throw StratumException.Invalid($"The file is larger than the import limit of {_options.MaxBytes} bytes.");
                }
                if (bytes > reserved)
                {
                    reserved = await ReserveAsStreamedAsync(bytes, reserved, quota);
                }
                inspector.Write(read.Span);
                sha256.AppendData(read.Span);
                await blocks.FilledAsync(read.Length, cancellation);
            }
            if (body.Length is { } announced && bytes != announced)
            {
                throw ImportFaults.Source(source.Name, $"sent {bytes} of the {announced} bytes it announced");
            }
            var image = inspector.Complete();
            if (requirements.MinDiskSize is { } minDiskSize && minDiskSize < image.VirtualSize)
            {
                throw StratumException.Invalid($"minDiskSize {minDiskSize} is below the image's virtual size of {image.VirtualSize} bytes.");
            }
            await blocks.CommitAsync(cancellation);
            return new ImportResult(bytes, "sha256:" + Convert.ToHexStringLower(sha256.GetCurrentHash()), image.Format, image.VirtualSize);
        }
        catch (Exception e) when (e is not StratumException && !cancellation.IsCancellationRequested)
        {
            throw Classify(e, source.Name, deadline.IsCancellationRequested);
        }
        finally
        {
            await blocks.DisposeAsync();
        }
    }

    /// <summary>8 MiB blocks, or bigger where the largest file would need more than a blob's 50,000.</summary>
    private int BlockSize() => (int)Math.Max(_options.BlockSize, (_options.MaxBytes / MaxBlocks + (1 << 20)) & ~((1L << 20) - 1));

    private async Task<long> ReserveKnownLengthAsync(long? length, IImportQuota quota)
    {
        if (length is not { } known)
        {
            return 0;
        }
        if (known > _options.MaxBytes)
        {
            throw StratumException.Invalid($"The file is {known} bytes, larger than the import limit of {_options.MaxBytes} bytes.");
        }
        return await quota.ReserveAsync(known, upToLimit: false);
    }

    /// <summary>Reserves the next step ahead of the data; near the limit, exactly what is left, and stops the import once the data passes it.</summary>
    private static async Task<long> ReserveAsStreamedAsync(long bytes, long reserved, IImportQuota quota)
    {
        try
        {
            return await quota.ReserveAsync(Math.Max(bytes, reserved + ReserveStep), upToLimit: false);
        }
        catch (StratumException e) when (e.Code == ErrorCode.ResourceExhausted)
        {
            var granted = await quota.ReserveAsync(reserved + ReserveStep, upToLimit: true);
            return granted >= bytes ? granted : throw new StratumException(ErrorCode.ResourceExhausted,
                $"The import was stopped after {bytes} bytes: {e.Message}");
        }
    }

    /// <summary>Reads the next chunk into the free part of the current block, allowing the source <see cref="ImportOptions.IdleTimeout"/> to send it.</summary>
    private async Task<Memory<byte>> ReadAsync(Stream body, Memory<byte> into, string source, long bytes, long? length,
        CancellationTokenSource idle, CancellationToken cancellation, CancellationToken deadline)
    {
        idle.CancelAfter(_options.IdleTimeout);
        try
        {
            var read = await body.ReadAsync(into, idle.Token);
            // Inspection and staging between reads are ours, not the source's: stop the clock.
            idle.CancelAfter(Timeout.InfiniteTimeSpan);
            return into[..read];
        }
        // Cancelled mid-read, the connection's stream may throw IOException instead ("operation canceled"):
        // a source ended by the deadline was then said to have broken the connection (seen once in CI).
        catch (Exception e) when (!cancellation.IsCancellationRequested && (e is OperationCanceledException || (e is IOException && idle.IsCancellationRequested)))
        {
            throw deadline.IsCancellationRequested
                ? ImportFaults.Source(source, $"did not finish within the import deadline of {_options.Deadline}")
                : ImportFaults.Source(source, $"sent no data for {_options.IdleTimeout.TotalSeconds:0} s after {bytes} bytes");
        }
        catch (IOException)
        {
            throw ImportFaults.Source(source, length is { } announced
                ? $"closed the connection after {bytes} of the {announced} bytes it announced"
                : $"broke the connection after {bytes} bytes");
        }
    }

    private StratumException Classify(Exception e, string source, bool deadlinePassed)
    {
        if (deadlinePassed && e is OperationCanceledException)
        {
            return ImportFaults.Source(source, $"did not finish within the import deadline of {_options.Deadline}");
        }
        logger.LogWarning(e, "Import from {Source} failed", source);
        return e is RequestFailedException or HttpRequestException or IOException ? ImportFaults.StoreUnavailable() : ImportFaults.Internal();
    }

    /// <summary>
    /// Fills one block buffer at a time and stages full blocks in the background, at most
    /// <c>parallel</c> at once; commits them in order, or, if the import fails, discards them
    /// (committing an empty list drops uncommitted blocks, then the empty blob is deleted).
    /// </summary>
    private sealed class BlockStager(BlockBlobClient target, int blockSize, int parallel) : IAsyncDisposable
    {
        private readonly List<string> _ids = [];
        private readonly Queue<Task> _staging = new();
        private byte[] _buffer = ArrayPool<byte>.Shared.Rent(blockSize);
        private int _filled;
        private bool _committed;

        public Memory<byte> Free => _buffer.AsMemory(_filled, blockSize - _filled);

        public async Task FilledAsync(int count, CancellationToken cancellation)
        {
            _filled += count;
            if (_filled == blockSize)
            {
                await StageAsync(cancellation);
            }
        }

        public async Task CommitAsync(CancellationToken cancellation)
        {
            if (_filled > 0)
            {
                await StageAsync(cancellation);
            }
            await Task.WhenAll(_staging);
            await target.CommitBlockListAsync(_ids, cancellationToken: cancellation);
            _committed = true;
        }

        private async Task StageAsync(CancellationToken cancellation)
        {
            if (_staging.Count >= parallel)
            {
                await _staging.Dequeue();
            }
            var id = Convert.ToBase64String(BitConverter.GetBytes(BinaryPrimitives.ReverseEndianness((long)_ids.Count)));
            _ids.Add(id);
            var (buffer, length) = (_buffer, _filled);
            _staging.Enqueue(StageOneAsync(id, buffer, length, cancellation));
            _buffer = ArrayPool<byte>.Shared.Rent(blockSize);
            _filled = 0;
        }

        private async Task StageOneAsync(string id, byte[] buffer, int length, CancellationToken cancellation)
        {
            try
            {
                using var content = new MemoryStream(buffer, 0, length, writable: false);
                await target.StageBlockAsync(id, content, cancellationToken: cancellation);
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }

        public async ValueTask DisposeAsync()
        {
            try
            {
                await Task.WhenAll(_staging);
            }
            catch (Exception) when (!_committed)
            {
                // The import has failed already; its blocks are discarded below.
            }
            ArrayPool<byte>.Shared.Return(_buffer);
            if (!_committed && _ids.Count > 0)
            {
                try
                {
                    await target.CommitBlockListAsync([]);
                    await target.DeleteIfExistsAsync();
                }
                catch (RequestFailedException)
                {
                    // The store is failing too; uncommitted blocks expire on their own (after a week in Azure).
                }
            }
        }
    }
}
