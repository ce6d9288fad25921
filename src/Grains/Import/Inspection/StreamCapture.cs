namespace Stratum.Import.Inspection;

/// <summary>
/// What the inspector keeps of a stream it sees once, front to back: the first
/// <see cref="HeadSize"/> bytes, the last <see cref="TailSize"/>, the regions format readers ask
/// for (a descriptor, a dynamic header), and the tables they want scanned entry by entry as the
/// bytes pass (an L1 table, a grain table), so memory stays bounded whatever the file. Regions
/// and scans wait in order of offset and are touched only while the stream is inside them, so a
/// file with thousands of tables costs no more per chunk than one with a few.
/// </summary>
internal sealed class StreamCapture
{
    /// <summary>Enough for every header this inspector reads, ISO 9660's descriptors at 32 KiB included.</summary>
    public const int HeadSize = 64 * 1024;

    /// <summary>A VMDK stream's footer marker, footer and end-of-stream marker; a VHD footer fits in it.</summary>
    public const int TailSize = 1536;

    /// <summary>The largest region a reader may keep whole (qemu's limit on a VMDK descriptor).</summary>
    public const int MaxRegion = 1 << 20;

    /// <summary>How many regions and scans a file may ask for: one per second-level table of a 2 TiB VMDK.</summary>
    public const int MaxItems = 65536;

    private readonly byte[] _head = new byte[HeadSize];
    private readonly byte[] _tail = new byte[TailSize];
    private readonly PriorityQueue<Item, ulong> _waiting = new();
    private readonly List<Item> _inside = [];
    private int _headLength;
    private int _items;

    /// <summary>Where the bytes still to come start: the current chunk's start while it is observed.</summary>
    private long _reachableFrom;

    /// <summary>How many bytes have been seen.</summary>
    public long Position { get; private set; }

    public ReadOnlySpan<byte> Head => _head.AsSpan(0, _headLength);

    /// <summary>The last bytes seen, in order (fewer than <see cref="TailSize"/> for a short stream).</summary>
    public ReadOnlySpan<byte> Tail => Position >= TailSize ? _tail : _tail.AsSpan(TailSize - (int)Position);

    public void Observe(ReadOnlySpan<byte> chunk)
    {
        if (_headLength < HeadSize)
        {
            var take = Math.Min(chunk.Length, HeadSize - _headLength);
            chunk[..take].CopyTo(_head.AsSpan(_headLength));
            _headLength += take;
        }
        var start = _reachableFrom = Position;
        Position += chunk.Length;
        // A region that completes may ask for more, which can start in this same chunk: pass the
        // chunk again (taking is idempotent) while a waiting item starts before its end.
        do
        {
            while (_waiting.TryPeek(out var item, out var offset) && offset < (ulong)Position)
            {
                _waiting.Dequeue();
                _inside.Add(item);
            }
            for (var i = _inside.Count - 1; i >= 0; i--)
            {
                if (_inside[i].Take(chunk, start))
                {
                    _inside.RemoveAt(i);
                }
            }
        }
        while (_waiting.TryPeek(out _, out var next) && next < (ulong)Position);
        _reachableFrom = Position;
        KeepTail(chunk);
    }

    /// <summary>
    /// Keeps <paramref name="length"/> bytes at <paramref name="offset"/>, calling
    /// <paramref name="complete"/> once they are all seen. False when some of them have gone by.
    /// </summary>
    public bool Capture(ulong offset, int length, Action<byte[]> complete)
    {
        if (length is <= 0 or > MaxRegion)
        {
            throw new ArgumentOutOfRangeException(nameof(length));
        }
        return Add(new Region(offset, length, complete), (ulong)length);
    }

    /// <summary>
    /// Calls <paramref name="entry"/> for each <paramref name="entrySize"/>-byte entry of the table
    /// of <paramref name="length"/> bytes at <paramref name="offset"/> as it passes, keeping none of
    /// it. False when some of it has gone by.
    /// </summary>
    public bool Scan(ulong offset, ulong length, int entrySize, Action<ReadOnlySpan<byte>> entry) =>
        Add(new TableScan(offset, length, entrySize, entry), length);

    /// <summary>False (and nothing kept) when the bytes have gone by or the file has asked for <see cref="MaxItems"/> already.</summary>
    private bool Add(Item item, ulong length)
    {
        if (!Reachable(item.Offset, length) || _items >= MaxItems)
        {
            return false;
        }
        _items++;
        if (!item.Take(Head, 0))
        {
            _waiting.Enqueue(item, item.Offset);
        }
        return true;
    }

    /// <summary>Every byte of [offset, offset + length) is either still to come or kept in the head.</summary>
    private bool Reachable(ulong offset, ulong length) => offset >= (ulong)_reachableFrom
        || (offset < (ulong)_headLength && (length <= (ulong)_headLength - offset || _headLength >= _reachableFrom));

    private void KeepTail(ReadOnlySpan<byte> chunk)
    {
        if (chunk.Length >= TailSize)
        {
            chunk[^TailSize..].CopyTo(_tail);
            return;
        }
        // Shift left and append, so the tail always holds the newest bytes in order.
        _tail.AsSpan(chunk.Length).CopyTo(_tail);
        chunk.CopyTo(_tail.AsSpan(TailSize - chunk.Length));
    }

    private abstract class Item(ulong offset, ulong length)
    {
        public ulong Offset => offset;

        /// <summary>How many of its bytes it has taken so far.</summary>
        protected ulong Taken { get; private set; }

        /// <summary>Takes its part of a chunk seen at <paramref name="chunkStart"/>; true once it has all its bytes.</summary>
        public bool Take(ReadOnlySpan<byte> chunk, long chunkStart)
        {
            var start = (ulong)chunkStart;
            var from = offset + Taken;
            var to = offset + length;
            var end = start + (ulong)chunk.Length;
            if (from < to && to > start && from < end && from >= start)
            {
                var part = chunk[(int)(from - start)..(int)(Math.Min(to, end) - start)];
                Taken += (ulong)part.Length;
                Use(part);
            }
            return Taken == length;
        }

        protected abstract void Use(ReadOnlySpan<byte> part);
    }

    private sealed class Region(ulong offset, int length, Action<byte[]> complete) : Item(offset, (ulong)length)
    {
        private readonly byte[] _data = new byte[length];

        protected override void Use(ReadOnlySpan<byte> part)
        {
            part.CopyTo(_data.AsSpan((int)Taken - part.Length));
            if ((int)Taken == _data.Length)
            {
                complete(_data);
            }
        }
    }

    private sealed class TableScan(ulong offset, ulong length, int entrySize, Action<ReadOnlySpan<byte>> entry) : Item(offset, length)
    {
        private readonly byte[] _carry = new byte[entrySize];
        private int _carried;

        protected override void Use(ReadOnlySpan<byte> part)
        {
            if (_carried > 0)
            {
                var fill = Math.Min(part.Length, entrySize - _carried);
                part[..fill].CopyTo(_carry.AsSpan(_carried));
                _carried += fill;
                part = part[fill..];
                if (_carried < entrySize)
                {
                    return;
                }
                entry(_carry);
                _carried = 0;
            }
            while (part.Length >= entrySize)
            {
                entry(part[..entrySize]);
                part = part[entrySize..];
            }
            part.CopyTo(_carry);
            _carried = part.Length;
        }
    }
}
