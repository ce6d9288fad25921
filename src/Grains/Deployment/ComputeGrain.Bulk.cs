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
            var vms = await PlanAsync(request, opId);
            var sources = await BulkSourcesAsync(caller, request.BootDiskSpec.DiskSpec!, vms);
            foreach (var source in sources.OfType<DiskSource>().Distinct())
            {
                RequireSize(request.BootDiskSpec.DiskSpec!.Size, source, "bootDiskSpec.diskSpec.size");
            }
            await operation.StartAsync(new OperationStart($"Create {request.Count} instance{(request.Count == 1 ? "" : "s")}", caller, request.FolderId, request.FolderId,
                new Dictionary<string, string> { ["folderId"] = request.FolderId, ["count"] = request.Count.ToString(System.Globalization.CultureInfo.InvariantCulture) }));
            return await operation.CompleteAsync(await BulkAsync(caller, request, vms, sources, opId));
        });
    }

    private sealed record PlannedVm(int Shard, string Name, string InstanceId, string DiskId);

    /// <summary>
    /// Where each instance goes and its ids. Ids come from the operation id, so a retry (same
    /// Idempotency-Key, same operation) makes the same ids, and what was already made is recognized.
    /// </summary>
    private async Task<List<PlannedVm>> PlanAsync(BulkCreateInstancesRequest request, string opId)
    {
        var shards = await ShardsAsync(request.FolderId);
        return Enumerable.Range(0, request.Count).Select(i =>
        {
            var shard = i % shards;
            var home = Placement.Home(request.FolderId, shard);
            return new PlannedVm(shard, $"{request.NamePrefix}-{i + 1}",
                Placement.DeterministicId(ResourceIds.Instance, home, $"{opId}/{i}"), Placement.DeterministicId(ResourceIds.Disk, home, $"{opId}/{i}/disk"));
        }).ToList();
    }

    /// <summary>
    /// Each instance's boot-disk source. A family is resolved once per cohort bucket, each
    /// instance's cohort being its own id, so the instances split as the family's rollouts say; an
    /// instance whose cohort has no image gets none (a per-instance failure), and when no cohort has
    /// one the whole request is refused as a single create would be.
    /// </summary>
    private async Task<IReadOnlyList<DiskSource?>> BulkSourcesAsync(Caller caller, DiskSpec spec, IReadOnlyList<PlannedVm> vms)
    {
        if (spec.Family is not { } family)
        {
            var source = await ResolveAsync(caller, spec.ImageId, spec.SnapshotId, null, cohortKey: "");
            return vms.Select(_ => source).ToList();
        }
        var buckets = vms.Select(vm => Cohorts.Bucket(family.FolderId, family.Name, vm.InstanceId)).ToList();
        var distinct = buckets.Distinct().ToList();
        var images = await resolver.ResolveAsync(caller, family.FolderId, family.Name, distinct);
        if (images.All(i => i is null))
        {
            // Refused in a single create's words, which say what this caller may know of the family (a bulk
            // create said less, to admins too); the lookup succeeds only if an image became usable meanwhile.
            await grains.Cached<IImageCatalogGrain>(0).GetLatestByFamilyAsync(caller, family.FolderId, family.Name, vms[0].InstanceId);
            throw new StratumException(ErrorCode.NotFound, $"Family '{family.Name}' in folder '{family.FolderId}' has no READY, ACTIVE image.");
        }
        var sources = new Dictionary<string, DiskSource>(StringComparer.Ordinal);
        foreach (var image in images.OfType<Image>().DistinctBy(i => i.Id))
        {
            sources[image.Id] = await ImageSourceAsync(caller, image.Id);
        }
        var byBucket = distinct.Zip(images).ToDictionary(p => p.First, p => p.Second is { } image ? sources[image.Id] : null);
        return buckets.Select(b => byBucket[b]).ToList();
    }

    /// <summary>Spreads the instances over the folder's shards, each committing its share in a few transactions.</summary>
    private async Task<BulkCreateResult> BulkAsync(Caller caller, BulkCreateInstancesRequest request, IReadOnlyList<PlannedVm> vms, IReadOnlyList<DiskSource?> sources, string opId)
    {
        var failures = new List<BulkCreateFailure>();
        var commands = new ShardCommand?[vms.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, vms.Count), new ParallelOptions { MaxDegreeOfParallelism = CopyConcurrency }, async (i, _) =>
        {
            if (sources[i] is not { } source)
            {
                return;
            }
            var vm = vms[i];
            var (instance, disk) = NewVm(request.FolderId, vm.Name, request.BootDiskSpec, source, vm.InstanceId, vm.DiskId);
            commands[i] = await WithDataAsync(source, disk, new ShardCommand(CommandKind.CreateInstance, opId, $"Create instance {instance.Name}",
                caller.Subject.ToString(), Disk: disk, DiskOs: source.Os, Instance: instance, WithoutOperationRow: true));
        });
        var family = request.BootDiskSpec.DiskSpec!.Family;
        failures.AddRange(vms.Where((_, i) => commands[i] is null).Select(vm => new BulkCreateFailure(vm.Name,
            new ErrorInfo(ErrorCode.NotFound, $"Family '{family?.Name}' has no READY, ACTIVE image for this instance's cohort."))));

        var outcomes = await Task.WhenAll(vms.Select((vm, i) => (vm.Shard, Command: commands[i])).Where(c => c.Command is not null).GroupBy(c => c.Shard).Select(async group =>
        {
            var batch = group.Select(g => g.Command!).ToList();
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
