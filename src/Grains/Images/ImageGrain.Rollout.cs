using Stratum.Access;
using Stratum.Changes;
using Stratum.Operations;
using Stratum.Releases;

namespace Stratum.Images;

/// <summary>Staged rollout: how far the image is latest in its family, now and on a schedule.</summary>
public sealed partial class ImageGrain
{
    Task<Operation> IImageGrain.RolloutAsync(Caller caller, RolloutRequest request, string? idempotencyKey) =>
        Idempotency.RunAsync(grains, caller, idempotencyKey, $"images.rollout:{Id}", request, Id, async (opId, _) =>
        {
            Authorizer.Demand(await GrantedAsync(caller), Permission.Edit, "image", Id, "roll out");
            var previous = Current;
            var steps = ReleaseRules.Validate(request, Clock.Now);
            if (previous.Family is null)
            {
                throw StratumException.Precondition($"Image '{Id}' has no family: a rollout says for how many of a family's cohorts an image is latest.");
            }
            if (previous.Status is not (ImageStatus.Ready or ImageStatus.Creating))
            {
                throw StratumException.Precondition($"Image '{Id}' is {ContractNames.Of(previous.Status)}; only a CREATING or READY image can be rolled out.");
            }
            var updated = previous with { Rollout = new Rollout(request.Percent ?? Rollout.PercentOf(previous), steps) };
            var op = await StartOperationAsync(opId, caller, $"Roll out image {previous.Name ?? Id}", "rollout");
            await CommitAsync(next => next.Image = updated);
            if (updated.Status == ImageStatus.Ready && updated.Family is { } family)
            {
                await Family(family).SetRolloutAsync(Id, Rollout.PercentOf(updated));
            }
            await index.UpsertImageAsync(updated, previous, Stored.Bindings);
            await changes.PublishAsync(ChangeEvent.OfImage(ChangeKind.ImageRolloutChanged, updated));
            await ArmLifecycleAsync();
            return await grains.GetGrain<IOperationInternalGrain>(op.Id).CompleteAsync(updated);
        });
}
