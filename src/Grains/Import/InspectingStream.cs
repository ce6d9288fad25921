using System.Security.Cryptography;

namespace Stratum.Import;

/// <summary>
/// A read-only stream over an import's bytes (the already-read header, then the rest) that
/// hashes, counts and keeps the last bytes while the blob upload pulls them through, so the file
/// is never held whole in memory and is read only once.
/// </summary>
internal sealed class InspectingStream(byte[] header, Stream rest, long maxBytes) : Stream
{
    private readonly IncrementalHash _sha256 = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private readonly byte[] _tail = new byte[DiskFormat.FooterBytes];
    private int _headerPosition;
    private long _length;

    public long BytesRead => _length;

    public string Checksum => "sha256:" + Convert.ToHexStringLower(_sha256.GetCurrentHash());

    /// <summary>The last bytes read (up to 512): where a VHD keeps its footer.</summary>
    public byte[] Tail => _length >= _tail.Length ? _tail : _tail[^(int)_length..];

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        int read;
        if (_headerPosition < header.Length)
        {
            read = Math.Min(buffer.Length, header.Length - _headerPosition);
            header.AsMemory(_headerPosition, read).CopyTo(buffer);
            _headerPosition += read;
        }
        else
        {
            read = await rest.ReadAsync(buffer, cancellationToken);
        }
        Observe(buffer.Span[..read]);
        return read;
    }

    public override int Read(byte[] buffer, int offset, int count) =>
        ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    private void Observe(ReadOnlySpan<byte> bytes)
    {
        _length += bytes.Length;
        if (_length > maxBytes)
        {
            throw StratumException.Invalid($"The file is larger than the import limit of {maxBytes} bytes.");
        }
        _sha256.AppendData(bytes);
        if (bytes.Length >= _tail.Length)
        {
            bytes[^_tail.Length..].CopyTo(_tail);
        }
        else if (bytes.Length > 0)
        {
            // Shift the kept tail left and append, so it always holds the newest bytes in order.
            Array.Copy(_tail, bytes.Length, _tail, 0, _tail.Length - bytes.Length);
            bytes.CopyTo(_tail.AsSpan(_tail.Length - bytes.Length));
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _sha256.Dispose();
            rest.Dispose();
        }
        base.Dispose(disposing);
    }

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => _length; set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
