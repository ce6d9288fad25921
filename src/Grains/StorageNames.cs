namespace Stratum;

/// <summary>
/// The grain storage providers, one per kind of state, so each can live where it fits:
/// few, small records (folders) in Azure Table; records that grow in number with use
/// (images, families, operations, idempotency keys) in Azure Blob, whose speed on Azurite
/// does not fall as more are stored.
/// </summary>
public static class StorageNames
{
    public const string Folders = "folders";
    public const string Images = "images";
    public const string Families = "families";
    public const string Operations = "operations";
    public const string Idempotency = "idempotency";
    public const string Layers = "layers";
    public const string Uploads = "uploads";

    public static readonly IReadOnlyList<string> Table = [Folders];
    public static readonly IReadOnlyList<string> Blob = [Images, Families, Operations, Idempotency, Layers, Uploads];
}
