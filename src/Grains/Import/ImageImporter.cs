using System.Net;
using System.Net.Sockets;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Microsoft.Extensions.Options;

namespace Stratum.Import;

/// <summary>What an import found in the file.</summary>
public sealed record ImportResult(long Bytes, string Checksum, ImageFormat Format, long VirtualSize);

/// <summary>
/// An import's bytes, opened: the stream, its length when known before reading, and a name for
/// messages (the URL, or the staged upload).
/// </summary>
public sealed record ImportSource(Stream Body, long? Length, string Name);

/// <summary>
/// Streams a file from an allowed URL into a blob, detecting its format, size and checksum on
/// the way. Redirects are followed by hand, each checked against the same policy, and every
/// connection re-checks the resolved address, so a name that resolves to a metadata address is
/// refused too.
/// </summary>
public sealed class ImageImporter : IDisposable
{
    private const int BlockSize = 4 << 20;

    private readonly UriPolicy _policy;
    private readonly ImportOptions _options;
    private readonly HttpClient _http;

    public ImageImporter(UriPolicy policy, IOptions<ImportOptions> options)
    {
        _policy = policy;
        _options = options.Value;
        _http = new HttpClient(new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            ConnectCallback = ConnectCheckedAsync,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        })
        { Timeout = Timeout.InfiniteTimeSpan };
    }

    /// <summary>
    /// Imports <paramref name="uri"/> into <paramref name="target"/>. <paramref name="reserveSize"/> is
    /// called with the file's size before any data moves when the server announces it, else after.
    /// </summary>
    public async Task<ImportResult> ImportAsync(Uri uri, BlobClient target, Func<long, Task> reserveSize, CancellationToken cancellation)
    {
        using var response = await FetchAsync(uri, cancellation);
        var body = await response.Content.ReadAsStreamAsync(cancellation);
        return await ImportAsync(new ImportSource(body, response.Content.Headers.ContentLength, uri.ToString()), target, reserveSize, cancellation);
    }

    /// <summary>
    /// The path every import's bytes take, whatever they come from (a fetched URL, a staged upload):
    /// size limit and quota, then inspection while they stream into <paramref name="target"/>.
    /// </summary>
    public async Task<ImportResult> ImportAsync(ImportSource source, BlobClient target, Func<long, Task> reserveSize, CancellationToken cancellation)
    {
        var announced = source.Length;
        if (announced > _options.MaxBytes)
        {
            throw StratumException.Invalid($"The file ({source.Name}) is {announced} bytes, larger than the import limit of {_options.MaxBytes} bytes.");
        }
        if (announced is { } size)
        {
            await reserveSize(size);
        }
        var body = source.Body;
        var header = await ReadHeaderAsync(body, cancellation);
        DiskFormat.RefusePacked(header);
        await using var inspector = new InspectingStream(header, body, _options.MaxBytes);
        await target.UploadAsync(inspector, new BlobUploadOptions
        {
            TransferOptions = new() { MaximumConcurrency = 1, InitialTransferSize = BlockSize, MaximumTransferSize = BlockSize },
        }, cancellation);
        var (format, virtualSize) = DiskFormat.Detect(header, inspector.Tail, inspector.BytesRead);
        if (announced is null)
        {
            await reserveSize(inspector.BytesRead);
        }
        return new ImportResult(inspector.BytesRead, inspector.Checksum, format, virtualSize);
    }

    private async Task<HttpResponseMessage> FetchAsync(Uri uri, CancellationToken cancellation)
    {
        for (var redirects = 0; ; redirects++)
        {
            var response = await _http.GetAsync(uri, HttpCompletionOption.ResponseHeadersRead, cancellation);
            var status = (int)response.StatusCode;
            if (status is >= 300 and < 400 && response.Headers.Location is { } location)
            {
                response.Dispose();
                if (redirects >= _options.MaxRedirects)
                {
                    throw StratumException.Invalid($"Fetching the uri took more than {_options.MaxRedirects} redirects.");
                }
                uri = _policy.Check(new Uri(uri, location).ToString(), "redirect target");
                continue;
            }
            if (!response.IsSuccessStatusCode)
            {
                response.Dispose();
                throw StratumException.Invalid($"Fetching {uri} answered HTTP {status}.");
            }
            return response;
        }
    }

    private static async Task<byte[]> ReadHeaderAsync(Stream body, CancellationToken cancellation)
    {
        var buffer = new byte[DiskFormat.HeaderBytes];
        var filled = 0;
        while (filled < buffer.Length)
        {
            var read = await body.ReadAsync(buffer.AsMemory(filled), cancellation);
            if (read == 0)
            {
                break;
            }
            filled += read;
        }
        return buffer[..filled];
    }

    private static async ValueTask<Stream> ConnectCheckedAsync(SocketsHttpConnectionContext context, CancellationToken cancellation)
    {
        var addresses = await Dns.GetHostAddressesAsync(context.DnsEndPoint.Host, cancellation);
        var allowed = addresses.Where(a => !UriPolicy.IsForbidden(a)).ToArray();
        if (allowed.Length == 0)
        {
            throw StratumException.Invalid($"Host '{context.DnsEndPoint.Host}' resolves only to link-local or metadata addresses; it is never fetched.");
        }
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(allowed, context.DnsEndPoint.Port, cancellation);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public void Dispose() => _http.Dispose();
}
