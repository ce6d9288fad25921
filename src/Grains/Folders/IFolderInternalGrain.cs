namespace Stratum.Folders;

/// <summary>What other grains ask of a folder; not part of the public contract.</summary>
[Alias("Stratum.IFolderInternalGrain")]
public interface IFolderInternalGrain : IGrainWithStringKey
{
    /// <summary>Creates the folder's record (idempotent for the same operation).</summary>
    [Alias("Initialize")] Task<Folder> InitializeAsync(CreateFolderRequest request, string operationId);

    /// <summary>Whether the folder exists and its bindings, for the authorizer.</summary>
    /// <remarks>Interleaves: it only reads, and a grain this folder awaits may be asking.</remarks>
    [Alias("GetAccess"), AlwaysInterleave] Task<FolderAccess> GetAccessAsync();

    /// <summary>
    /// Takes quota (positive amounts) or gives it back (negative), all or nothing. A change is
    /// applied once per token, so a retried call does not count twice.
    /// </summary>
    [Alias("ChangeUsage")] Task ChangeUsageAsync(string token, IReadOnlyList<QuotaDelta> deltas);
}

[GenerateSerializer, Immutable, Alias("Stratum.FolderAccess")]
public sealed record FolderAccess(
    [property: Id(0)] bool Exists,
    [property: Id(1)] IReadOnlyList<AccessBinding> Bindings)
{
    public static readonly FolderAccess Missing = new(false, []);
}

[GenerateSerializer, Immutable, Alias("Stratum.QuotaDelta")]
public sealed record QuotaDelta(
    [property: Id(0)] string Name,
    [property: Id(1)] long Amount);
