namespace Stratum.Deployment;

public sealed partial class DeploymentShardGrain
{
    /// <summary>
    /// Reserves the names of a batch's new resources in one transaction per kind (names are unique
    /// per folder across all its shards, so they live in the folder's name partition). A command
    /// whose name is taken is refused, unless its own earlier attempt took it (same Idempotency-Key):
    /// answered as that attempt when it committed, else the name is taken over (the attempt died
    /// between reserving and committing, and its retry has a new resource id).
    /// </summary>
    private async Task<List<Prepared>> ReserveNamesAsync(List<Prepared> admitted)
    {
        var named = admitted.Where(p => p.Item.Command.NewName is not null).ToList();
        if (named.Count == 0)
        {
            return admitted;
        }
        var started = Diagnostics.StageTimings.Now();
        var taken = new HashSet<string>(StringComparer.Ordinal);
        foreach (var kind in named.GroupBy(p => p.Item.Command.NewName!.Value.Kind))
        {
            var names = kind.Select(p => (p.Item.Command.NewName!.Value.Name, p.Item.Command.NewName!.Value.OwnerId, p.Item.Command.ClaimHash)).ToList();
            foreach (var name in await index.ReserveNamesAsync(_folderId, kind.Key, names, OwnerExistsAsync))
            {
                taken.Add($"{kind.Key}/{name}");
            }
        }
        Timings.Since(Diagnostics.StageTimings.ShardNames, started);
        var kept = new List<Prepared>();
        foreach (var p in admitted)
        {
            if (p.Item.Command.NewName is { } name && taken.Contains($"{name.Kind}/{name.Name}"))
            {
                p.Item.Done.TrySetResult(await ExplainNameTakenAsync(p.Item.Command, name.Kind, name.Name));
            }
            else
            {
                kept.Add(p);
            }
        }
        return kept;
    }

    private async Task<CommandOutcome> ExplainNameTakenAsync(ShardCommand command, string kind, string name)
    {
        // The name may be taken by this command's own earlier attempt (a retry): answer as that attempt.
        if (command.ClaimHash is not null && await ExplainConflictAsync(command) is { } retried)
        {
            return retried;
        }
        return CommandOutcome.Failed(Index.ResourceIndex.NameTaken(kind, name, _folderId));
    }

    private async Task<bool> OwnerExistsAsync(string ownerId) => await rows.GetAsync(ownerId) is not null;
}
