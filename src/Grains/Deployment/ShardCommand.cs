namespace Stratum.Deployment;

public enum CommandKind
{
    CreateDisk,
    CreateInstance,
    CreateSnapshot,
    DeleteDisk,
    DeleteInstance,
    DeleteSnapshot,
}

/// <summary>
/// One change for a deployment shard to commit. The front door has validated, authorized and
/// resolved it; the shard checks what only it can see (quota allowance, the rows it owns) and
/// commits it with others in one transaction.
/// </summary>
[GenerateSerializer, Immutable, Alias("Stratum.ShardCommand")]
public sealed record ShardCommand(
    [property: Id(0)] CommandKind Kind,
    [property: Id(1)] string OperationId,
    [property: Id(2)] string Description,
    [property: Id(3)] string CreatedBy,
    [property: Id(4)] string? ClaimHash = null,
    [property: Id(5)] string? Fingerprint = null,
    [property: Id(6)] Disk? Disk = null,
    [property: Id(7)] OsType DiskOs = OsType.Linux,
    [property: Id(8)] Instance? Instance = null,
    [property: Id(9)] Snapshot? Snapshot = null,
    [property: Id(10)] string? TargetId = null,
    [property: Id(11)] bool WithoutOperationRow = false,
    [property: Id(12)] string? DataBlob = null,
    [property: Id(13)] long DataBytes = 0)
{
    /// <summary>Creates that read no existing row can share a transaction with others.</summary>
    public bool IsBatchable => Kind == CommandKind.CreateDisk || (Kind == CommandKind.CreateInstance && Disk is not null);

    /// <summary>The name the new resource reserves in its folder, and of which kind; null for unnamed resources and deletes.</summary>
    public (string Kind, string Name, string OwnerId)? NewName => Kind switch
    {
        CommandKind.CreateInstance when Instance?.Name is { } name => ("instance", name, Instance.Id),
        CommandKind.CreateDisk when Disk?.Name is { } name => ("disk", name, Disk.Id),
        CommandKind.CreateSnapshot when Snapshot?.Name is { } name => ("snapshot", name, Snapshot.Id),
        _ => null,
    };
}

/// <summary>What became of a command: its finished operation, or why it was refused.</summary>
[GenerateSerializer, Immutable, Alias("Stratum.CommandOutcome")]
public sealed record CommandOutcome(
    [property: Id(0)] Operation? Operation,
    [property: Id(1)] ErrorInfo? Error,
    [property: Id(2)] object? Resource = null,
    [property: Id(3)] bool Replayed = false)
{
    public static CommandOutcome Failed(ErrorCode code, string message) => new(null, new ErrorInfo(code, message));
    public static CommandOutcome Failed(StratumException e) => Failed(e.Code, e.Message);
}

/// <summary>A deployment shard of a folder, keyed <c>{folderId}/{k}</c>.</summary>
[Alias("Stratum.IDeploymentShardGrain")]
public interface IDeploymentShardGrain : IGrainWithStringKey
{
    /// <summary>Commits the commands (batched with others in flight) and returns an outcome for each, in order.</summary>
    [Alias("Submit")] Task<IReadOnlyList<CommandOutcome>> SubmitAsync(IReadOnlyList<ShardCommand> commands);

    /// <summary>What this shard has committed: quota usage and references per layer.</summary>
    [Alias("GetCounters")] Task<ShardCounters> GetCountersAsync();

    /// <summary>
    /// Stops new references to a layer from this shard until it is pinned again, waits for the
    /// transaction in flight, and returns how many references the shard holds.
    /// </summary>
    [Alias("DrainLayer")] Task<long> DrainLayerAsync(string layerId);

    /// <summary>Gives back quota allowance beyond what is committed or in flight, for another shard of the folder.</summary>
    [Alias("TrimAllowance")] Task TrimAllowanceAsync();
}

[GenerateSerializer, Immutable, Alias("Stratum.ShardCounters")]
public sealed record ShardCounters(
    [property: Id(0)] IReadOnlyDictionary<string, long> Quota,
    [property: Id(1)] IReadOnlyDictionary<string, long> Layers);
