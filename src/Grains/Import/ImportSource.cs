namespace Stratum.Import;

/// <summary>Where an import's bytes come from: a URL today, an upload staging blob tomorrow.</summary>
public interface IImportSource
{
    /// <summary>The source as messages name it (never with credentials or a signed query string).</summary>
    string Name { get; }

    /// <summary>
    /// Opens the bytes, waiting at most <paramref name="idle"/> for them to start. Faults of the
    /// source itself (unreachable, refused, an error status) are <see cref="ImportFaults.Source"/> errors.
    /// </summary>
    Task<ImportBody> OpenAsync(TimeSpan idle, CancellationToken cancellation);
}

/// <summary>An opened source: its bytes, and their length when the source announces it.</summary>
public sealed class ImportBody(Stream stream, long? length, IDisposable? owner = null) : IAsyncDisposable
{
    public Stream Stream => stream;

    public long? Length => length;

    public async ValueTask DisposeAsync()
    {
        await stream.DisposeAsync();
        owner?.Dispose();
    }
}

/// <summary>
/// The size quota an import takes while its data moves. The importer raises the reservation
/// before data moves (known length) or as it streams (unknown length); the image gives it back,
/// or keeps what the image holds, when the import ends.
/// </summary>
public interface IImportQuota
{
    /// <summary>
    /// Raises the bytes reserved to <paramref name="total"/>, refusing with code 8 when the folder's
    /// limit has no room; with <paramref name="upToLimit"/>, reserves what room there is instead.
    /// Returns the bytes now reserved.
    /// </summary>
    Task<long> ReserveAsync(long total, bool upToLimit);
}
