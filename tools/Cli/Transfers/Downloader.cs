using System.Buffers;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;

namespace Stratum.Cli.Transfers;

/// <summary>What a download did: bytes fetched now, and bytes already on disk from an earlier try.</summary>
internal sealed record DownloadResult(long BytesFetched, long BytesResumed);

/// <summary>
/// Fetches a URL with Range requests into <c>PATH.partial</c> (several ranges in flight, written in
/// order, so the partial file is always a prefix), continues a partial file left by an earlier
/// try, and moves it to PATH only when its sha256 matches.
/// </summary>
internal static class Downloader
{
    private const int ChunkSize = 8 << 20;
    private const int Concurrency = 4;

    public static async Task<DownloadResult> DownloadAsync(HttpClient http, string url, long size, string? checksum, string path, bool overwrite,
        Action<long> advanced, RateLimit rate, CancellationToken cancellation)
    {
        var partial = path + ".partial";
        using var sha256 = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        long offset = 0;
        if (File.Exists(partial) && new FileInfo(partial).Length <= size)
        {
            // Hash what an earlier try left, so the whole file is verified in the end.
            await using var earlier = File.OpenRead(partial);
            var buffer = new byte[1 << 20];
            int read;
            while ((read = await earlier.ReadAsync(buffer, cancellation)) > 0)
            {
                sha256.AppendData(buffer, 0, read);
            }
            offset = earlier.Length;
            advanced(offset);
        }
        var resumed = offset;
        await using (var output = new FileStream(partial, offset == 0 ? FileMode.Create : FileMode.Append, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous))
        {
            var pending = new Queue<Task<(byte[] Buffer, int Length)>>();
            var next = offset;
            while (next < size || pending.Count > 0)
            {
                while (next < size && pending.Count < Concurrency)
                {
                    var (from, length) = (next, (int)Math.Min(ChunkSize, size - next));
                    pending.Enqueue(FetchAsync(http, url, from, length, rate, cancellation));
                    next += length;
                }
                var (buffer, filled) = await pending.Dequeue();
                try
                {
                    await output.WriteAsync(buffer.AsMemory(0, filled), cancellation);
                    sha256.AppendData(buffer, 0, filled);
                    advanced(filled);
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                }
            }
        }
        var actual = "sha256:" + Convert.ToHexStringLower(sha256.GetHashAndReset());
        if (checksum is not null && actual != checksum)
        {
            File.Delete(partial);
            throw new Infrastructure.TransferException($"The downloaded bytes do not match the image's checksum ({actual}, expected {checksum}); nothing was kept.");
        }
        File.Move(partial, path, overwrite);
        return new DownloadResult(size - resumed, resumed);
    }

    /// <summary>One range into a pooled buffer (the caller returns it): no large allocation per chunk.</summary>
    private static async Task<(byte[] Buffer, int Length)> FetchAsync(HttpClient http, string url, long from, int length, RateLimit rate, CancellationToken cancellation)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await rate.TakeAsync(length, cancellation);
                using var request = new HttpRequestMessage(HttpMethod.Get, url);
                request.Headers.Range = new RangeHeaderValue(from, from + length - 1);
                using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellation);
                if (response.StatusCode != HttpStatusCode.PartialContent)
                {
                    throw new Infrastructure.TransferException(response.StatusCode == HttpStatusCode.Forbidden
                        ? "The export URL was refused (403): it may have expired; run the command again for a new one."
                        : $"The export URL answered HTTP {(int)response.StatusCode} to a range request.");
                }
                var buffer = ArrayPool<byte>.Shared.Rent(length);
                try
                {
                    await using var body = await response.Content.ReadAsStreamAsync(cancellation);
                    var read = await body.ReadAtLeastAsync(buffer.AsMemory(0, length), length, throwOnEndOfStream: false, cancellation);
                    return read == length ? (buffer, length) : throw new IOException($"Range {from}+{length} returned {read} bytes.");
                }
                catch
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                    throw;
                }
            }
            catch (Exception e) when (e is HttpRequestException or IOException && attempt < 4)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(250 * attempt), cancellation);
            }
        }
    }
}
