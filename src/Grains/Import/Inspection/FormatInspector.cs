namespace Stratum.Import.Inspection;

/// <summary>What an inspection found: the format the bytes are, and the size of the disk they describe.</summary>
public sealed record InspectedImage(ImageFormat Format, long VirtualSize);

/// <summary>
/// Decides what an image's bytes are while they stream by once, in bounded memory: the format
/// from the headers (never from a name or a content type), and every import-safety rule of the
/// contract from the headers and the structures they point to. A refusal is a
/// <see cref="StratumException"/> with code 3 naming its <see cref="ImportRule"/>; it is thrown as
/// soon as the bytes seen prove it (a backing file after the first 64 KiB), else at
/// <see cref="Complete"/>, when the length and the last bytes are known.
/// </summary>
public sealed class FormatInspector(ImageFormat? expected = null)
{
    private readonly StreamCapture _capture = new();
    private DiskReader? _reader;
    private RawDisk? _raw;
    private bool _begun;

    /// <summary>The bytes seen so far.</summary>
    public long Length => _capture.Position;

    /// <summary>Shows the inspector the next bytes of the stream.</summary>
    public void Write(ReadOnlySpan<byte> chunk)
    {
        if (!_begun)
        {
            var room = StreamCapture.HeadSize - (int)_capture.Position;
            if (chunk.Length < room)
            {
                _capture.Observe(chunk);
                return;
            }
            _capture.Observe(chunk[..room]);
            Begin();
            chunk = chunk[room..];
        }
        _capture.Observe(chunk);
    }

    /// <summary>Ends the stream: the last rules, then the verdict.</summary>
    public InspectedImage Complete()
    {
        if (!_begun)
        {
            Begin();
        }
        var tailFormat = Signatures.MatchTail(_capture.Tail);
        var vhdFooter = _capture.Position >= 512 && VhdReader.IsFooter(_capture.Tail[^512..]);
        if (_reader is not null and not VhdReader && (tailFormat is not null || vhdFooter))
        {
            throw Polyglot([_reader.Name, tailFormat?.Name ?? "VHD"]);
        }
        if (_reader is null)
        {
            if (tailFormat is not null)
            {
                throw vhdFooter ? Polyglot([tailFormat.Name, "VHD"]) : ImportRule.Refuse(tailFormat.Rule, tailFormat.Why);
            }
            _reader = vhdFooter ? VhdReader.FromTail(_capture, _raw!) : _raw!;
        }
        var virtualSize = _reader.End();
        if (virtualSize <= 0 || virtualSize > Validation.Rules.MaxDiskSize)
        {
            throw ImportRule.Refuse(ImportRule.VirtualSize,
                $"the {_reader.Name} image describes a disk of {virtualSize} bytes; it must be more than 0 and at most 4 TiB.");
        }
        ExpectFormat(_reader.Format);
        return new InspectedImage(_reader.Format, virtualSize);
    }

    /// <summary>The head is in: recognise the format, refuse what is refused by name, start its reader.</summary>
    private void Begin()
    {
        _begun = true;
        var head = _capture.Head;
        var found = Signatures.Match(head);
        if (found.Count > 1)
        {
            throw Polyglot(found.Select(f => f.Name));
        }
        if (found is [{ Reader: null } refused])
        {
            throw ImportRule.Refuse(refused.Rule, refused.Why);
        }
        if (found is [{ Reader: { } reader } format])
        {
            // A boot signature at byte 510 inside another format's header makes the file a raw disk too.
            if (RawDisk.HasBootSignature(head))
            {
                throw Polyglot([format.Name, "a raw disk with a partition table"]);
            }
            _reader = reader(_capture);
            ExpectFormat(_reader.Format);
            _reader.Begin();
            return;
        }
        if (expected is ImageFormat.Qcow2 or ImageFormat.Vmdk)
        {
            // Their headers start the file, so the head alone proves the mismatch: stop before the rest moves.
            throw ImportRule.Refuse(ImportRule.FormatMismatch, $"format {ContractNames.Of(expected.Value)} was given, but the data does not start with a {ContractNames.Of(expected.Value)} header.");
        }
        _raw = new RawDisk(_capture);
        _raw.Begin();
    }

    private void ExpectFormat(ImageFormat actual)
    {
        if (expected is { } wanted && actual != wanted)
        {
            throw ImportRule.Refuse(ImportRule.FormatMismatch, $"format {ContractNames.Of(wanted)} was given, but the data is {ContractNames.Of(actual)}.");
        }
    }

    private static StratumException Polyglot(IEnumerable<string> formats) => ImportRule.Refuse(ImportRule.Polyglot,
        $"the data matches more than one format ({string.Join(" and ", formats)}); a file that different readers see differently is never accepted.");
}
