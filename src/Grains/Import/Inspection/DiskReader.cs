namespace Stratum.Import.Inspection;

/// <summary>
/// Reads one disk image format as its bytes stream by: <see cref="Begin"/> when the head is in
/// (the header's own rules, and what to capture or scan of the structures it points to),
/// <see cref="End"/> when the stream is done (the rules that need the whole length).
/// </summary>
internal abstract class DiskReader(StreamCapture capture)
{
    protected StreamCapture Capture { get; } = capture;

    public abstract ImageFormat Format { get; }

    /// <summary>The format's name in messages.</summary>
    public abstract string Name { get; }

    public abstract void Begin();

    /// <summary>Returns the virtual size, in bytes.</summary>
    public abstract long End();

    protected StratumException Refuse(string rule, string detail) => ImportRule.Refuse(rule, $"{Name}: {detail}");

    /// <summary>Whether [offset, offset + length) lies inside a file of <paramref name="fileLength"/> bytes, without overflow.</summary>
    protected static bool Within(ulong offset, ulong length, ulong fileLength) => offset <= fileLength && length <= fileLength - offset;

    /// <summary>Registers a table scan, refusing when the table starts in bytes already gone by (a layout no tool writes).</summary>
    protected void Scan(string table, ulong offset, ulong length, int entrySize, Action<ReadOnlySpan<byte>> entry)
    {
        if (!Capture.Scan(offset, length, entrySize, entry))
        {
            throw Refuse(ImportRule.BadField, $"the {table} at offset {offset} lies before the header that points to it.");
        }
    }

    /// <summary>Registers a region capture, refusing like <see cref="Scan"/>.</summary>
    protected void Keep(string structure, ulong offset, int length, Action<byte[]> complete)
    {
        if (!Capture.Capture(offset, length, complete))
        {
            throw Refuse(ImportRule.BadField, $"the {structure} at offset {offset} lies before the header that points to it.");
        }
    }

    /// <summary>
    /// Printable ASCII of at most 128 characters, for quoting a name from a file in a message: line breaks and tabs
    /// as their escapes (an error page's text reads as it was written), any other byte as '?'.
    /// </summary>
    protected static string Quote(ReadOnlySpan<byte> bytes)
    {
        var text = new System.Text.StringBuilder();
        foreach (var b in bytes[..Math.Min(bytes.Length, 128)])
        {
            text.Append(b switch
            {
                (byte)'\n' => "\\n",
                (byte)'\r' => "\\r",
                (byte)'\t' => "\\t",
                >= 0x20 and < 0x7F => ((char)b).ToString(),
                _ => "?",
            });
        }
        return $"'{text}{(bytes.Length > 128 ? "…" : "")}'";
    }
}

/// <summary>The furthest end of what a scanned table's entries point to, checked against the file's length at the end.</summary>
internal sealed class FurthestEnd
{
    public ulong Value { get; private set; }

    public void Note(ulong start, ulong length)
    {
        var end = start > ulong.MaxValue - length ? ulong.MaxValue : start + length;
        Value = Math.Max(Value, end);
    }
}
