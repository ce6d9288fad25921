using Stratum.Access;
using Stratum.Operations;

namespace Stratum.Deployment;

public sealed partial class ComputeGrain
{
    /// <summary>Data copies for standard sources run this many at a time.</summary>
    private const int CopyConcurrency = 16;

    Task<Operation> IComputeGrain.BulkCreateInstancesAsync(Caller caller, BulkCreateInstancesRequest request, string? idempotencyKey)
    {
        ComputeRules.Validate(request);
        return Idempotency.RunAsync(grains, caller, idempotencyKey, "instances.bulkCreate", request, request.FolderId, async (opId, _) =>
        {
            var operation = grains.GetGrain<IOperationInternalGrain>(opId);
            await DemandFolderAsync(caller, request.FolderId, Permission.Edit, "create instances in");
            var spec = request.BootDiskSpec.DiskSpec!;
            var source = await ResolveAsync(caller, spec.ImageId, spec.SnapshotId, spec.Family);
            RequireSize(spec.Size, source, "bootDiskSpec.diskSpec.size");
            await operation.StartAsync(new OperationStart($"Create {request.Count} instances", caller, request.FolderId, request.FolderId,
                new Dictionary<string, string> { ["folderId"] = request.FolderId, ["count"] = request.Count.ToString(System.Globalization.CultureInfo.InvariantCulture) }));
            return await operation.CompleteAsync(await BulkAsync(caller, request, source, opId));
        });
    }

    /// <summary>
    /// Spreads the instances over the folder's shards, each committing its share in a few
    /// transactions. Ids come from the operation id, so a retry (same Idempotency-Key, same
    /// operation) makes the same ids, and what was already made is recognized, not made twice.
    /// </summary>
    private async Task<BulkCreateResult> BulkAsync(Caller caller, BulkCreateInstancesRequest request, DiskSource source, string opId)
    {
        var shards = await ShardsAsync(request.FolderId);
        var vms = Enumerable.Range(0, request.Count).Select(i =>
        {
            var shard = i % shards;
            var home = Placement.Home(request.FolderId, shard);
            var name = $"{request.NamePrefix}-{i + 1}";
            var (instance, disk) = NewVm(request.FolderId, name, request.BootDiskSpec, source,
                Placement.DeterministicId(ResourceIds.Instance, home, $"{opId}/{i}"), Placement.DeterministicId(ResourceIds.Disk, home, $"{opId}/{i}/disk"));
            return (Shard: shard, Instance: instance, Disk: disk);
        }).ToList();

        var failures = new List<BulkCreateFailure>();
        var commands = new ShardCommand?[vms.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, vms.Count), new ParallelOptions { MaxDegreeOfParallelism = CopyConcurrency }, async (i, _) =>
        {
            var vm = vms[i];
            commands[i] = await WithDataAsync(source, vm.Disk, new ShardCommand(CommandKind.CreateInstance, opId, $"Create instance {vm.Instance.Name}",
                caller.Subject.ToString(), Disk: vm.Disk, DiskOs: source.Os, Instance: vm.Instance, WithoutOperationRow: true));
        });

        var outcomes = await Task.WhenAll(vms.Select((vm, i) => (vm.Shard, Command: commands[i]!)).GroupBy(c => c.Shard).Select(async group =>
        {
            var batch = group.Select(g => g.Command).ToList();
            return batch.Zip(await Shard(request.FolderId, group.Key).SubmitAsync(batch));
        }));

        var instances = new List<Instance>();
        foreach (var (command, outcome) in outcomes.SelectMany(o => o))
        {
            if (outcome.Error is { } error)
            {
                failures.Add(new BulkCreateFailure(command.Instance!.Name!, error));
                await DiscardDataAsync(command);
            }
            else
            {
                if (outcome.Replayed)
                {
                    await DiscardDataAsync(command);
                }
                instances.Add((Instance)outcome.Resource! with { Status = InstanceStatus.Running });
            }
        }
        return new BulkCreateResult(instances.OrderBy(i => i.Name, StringComparer.Ordinal).ToList(), failures.OrderBy(f => f.Name, StringComparer.Ordinal).ToList());
    }
}
