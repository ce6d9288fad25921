using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using System.Threading.Channels;
using Azure.Storage.Blobs.Specialized;

namespace Stratum.Cli.Transfers;

/// <summary>What an upload did: the file's checksum, and how much was sent now or had been sent before.</summary>
internal sealed record UploadResult(string Checksum, long BytesSent, long BytesResumed);

/// <summary>
/// Puts a file into a staging blob with the signed URL, in blocks sent in parallel (the Azure SDK
/// does each request and its retries), then commits the block list. Blocks the journal says were
/// acknowledged are read (for the checksum) but not sent again.
/// </summary>
internal static class Uploader
{
    /// <summary>Blocks in flight; the file is read ahead by at most two more (memory: about 10 blocks).</summary>
    private const int Concurrency = 8;
    private const int MinBlockSize = 8 << 20;
    private const int MaxBlocks = 50_000;

    /// <summary>8 MiB, or larger for files that would need more blocks than a blob takes.</summary>
    public static int BlockSizeFor(long size) => (int)Math.Max(MinBlockSize, (size / MaxBlocks + (1 << 20)) & ~((1L << 20) - 1));

    public static async Task<UploadResult> UploadAsync(FileInfo file, UploadJournal journal, Action<long> advanced, RateLimit rate, CancellationToken cancellation)
    {
        var blob = new BlockBlobClient(new Uri(journal.UploadUrl));
        var blockSize = journal.BlockSize;
        var blocks = (int)((file.Length + blockSize - 1) / blockSize);
        var ids = Enumerable.Range(0, blocks).Select(BlockId).ToList();
        long sent = 0, resumed = 0;
        using var sha256 = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var queue = Channel.CreateBounded<(int Index, byte[] Buffer, int Length)>(2);

        var senders = Enumerable.Range(0, Concurrency).Select(_ => Task.Run(async () =>
        {
            await foreach (var (index, buffer, length) in queue.Reader.ReadAllAsync(cancellation))
            {
                try
                {
                    await rate.TakeAsync(length, cancellation);
                    using var content = new MemoryStream(buffer, 0, length, writable: false);
                    await blob.StageBlockAsync(ids[index], content, cancellationToken: cancellation);
                    journal.MarkDone(index);
                    Interlocked.Add(ref sent, length);
                    advanced(length);
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                }
            }
        }, cancellation)).ToList();

        try
        {
            await using var stream = new FileStream(file.FullName, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.Asynchronous | FileOptions.SequentialScan);
            for (var index = 0; index < blocks; index++)
            {
                var buffer = ArrayPool<byte>.Shared.Rent(blockSize);
                var length = await stream.ReadAtLeastAsync(buffer.AsMemory(0, (int)Math.Min(blockSize, file.Length - (long)index * blockSize)), 1, throwOnEndOfStream: true, cancellation);
                sha256.AppendData(buffer, 0, length);
                if (journal.IsDone(index))
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                    resumed += length;
                    advanced(length);
                    continue;
                }
                await queue.Writer.WriteAsync((index, buffer, length), cancellation);
            }
        }
        finally
        {
            queue.Writer.TryComplete();
            await Task.WhenAll(senders);
        }
        await blob.CommitBlockListAsync(ids, cancellationToken: cancellation);
        return new UploadResult("sha256:" + Convert.ToHexStringLower(sha256.GetHashAndReset()), sent, resumed);
    }

    /// <summary>Block ids are the block's index, all of one length as the store requires.</summary>
    private static string BlockId(int index) => Convert.ToBase64String(Encoding.ASCII.GetBytes($"block-{index:D6}"));
}
