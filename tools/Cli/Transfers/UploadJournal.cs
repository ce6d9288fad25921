using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Stratum.Cli.Transfers;

/// <summary>
/// What an unfinished upload has sent, kept beside the config file (<c>uploads/</c>), so running
/// the same command again sends only the blocks the store has not acknowledged. The write-only
/// URL cannot list what the store holds, so the client keeps count. Keyed by the file's path,
/// size and modification time: a changed file starts afresh.
/// </summary>
internal sealed class UploadJournal
{
    private readonly Lock _lock = new();
    private string _path = "";

    public string UploadId { get; init; } = "";
    public string UploadUrl { get; init; } = "";
    public DateTimeOffset ExpiresAt { get; init; }
    public string FolderId { get; init; } = "";
    public long Size { get; init; }
    public int BlockSize { get; init; }
    public SortedSet<int> Done { get; init; } = [];

    /// <summary>An unfinished upload of this file into this folder whose URL is still good for a while, or null.</summary>
    public static UploadJournal? TryResume(string directory, FileInfo file, string folderId)
    {
        var path = PathFor(directory, file);
        if (!File.Exists(path))
        {
            return null;
        }
        try
        {
            var journal = JsonSerializer.Deserialize<UploadJournal>(File.ReadAllText(path));
            if (journal is not null && journal.FolderId == folderId && journal.Size == file.Length && journal.ExpiresAt > DateTimeOffset.UtcNow.AddMinutes(5))
            {
                journal._path = path;
                return journal;
            }
        }
        catch (JsonException)
        {
            // A journal cut short by a crash: start again.
        }
        File.Delete(path);
        return null;
    }

    public static UploadJournal Start(string directory, FileInfo file, string folderId, string uploadId, string uploadUrl, DateTimeOffset expiresAt, int blockSize)
    {
        var journal = new UploadJournal
        {
            UploadId = uploadId, UploadUrl = uploadUrl, ExpiresAt = expiresAt, FolderId = folderId, Size = file.Length, BlockSize = blockSize,
            _path = PathFor(directory, file),
        };
        journal.Save();
        return journal;
    }

    public bool IsDone(int block)
    {
        lock (_lock)
        {
            return Done.Contains(block);
        }
    }

    /// <summary>Records an acknowledged block (written through to disk before the next is counted).</summary>
    public void MarkDone(int block)
    {
        lock (_lock)
        {
            Done.Add(block);
            Save();
        }
    }

    public void Delete() => File.Delete(_path);

    private void Save()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(_path)!);
        var temporary = _path + ".tmp";
        File.WriteAllText(temporary, JsonSerializer.Serialize(this));
        File.Move(temporary, _path, overwrite: true);
    }

    private static string PathFor(string directory, FileInfo file)
    {
        var key = $"{file.FullName}|{file.Length}|{file.LastWriteTimeUtc.Ticks}";
        return Path.Combine(directory, "uploads", Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)))[..24] + ".json");
    }
}
