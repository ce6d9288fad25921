using Stratum.Releases;

namespace Stratum.Tests.Unit;

/// <summary>The cohort hash and what a schedule does when its time comes, without a cluster.</summary>
public sealed class ReleaseLogicTests
{
    [Fact]
    public void A_cohort_bucket_is_stable_across_processes_and_releases()
    {
        // Pinned values: a change to the hash would move every cohort of every rollout in production.
        Assert.Equal(Cohorts.Bucket("fldaaaaaaaaaaaaaaaaa", "ubuntu-2404", "zone-a"), Cohorts.Bucket("fldaaaaaaaaaaaaaaaaa", "ubuntu-2404", "zone-a"));
        Assert.Equal(PinnedBucket, Cohorts.Bucket("fldaaaaaaaaaaaaaaaaa", "ubuntu-2404", "zone-a"));
        Assert.NotEqual(Cohorts.Bucket("fldaaaaaaaaaaaaaaaaa", "debian-12", "zone-a"), Cohorts.Bucket("fldaaaaaaaaaaaaaaaaa", "ubuntu-2404", "zone-a"));
        Assert.Equal("userAccount:bob", Cohorts.KeyOf(Caller.User("bob")));
    }

    private const int PinnedBucket = 43;

    [Fact]
    public void Buckets_are_uniform_over_many_keys_and_a_long_key_hashes_like_a_short_one()
    {
        var counts = new int[Cohorts.Buckets];
        for (var i = 0; i < 100_000; i++)
        {
            counts[Cohorts.Bucket("fldbbbbbbbbbbbbbbbbb", "web", $"vm-{i}")]++;
        }
        Assert.All(counts, c => Assert.InRange(c, 850, 1150));
        Assert.InRange(counts.Take(10).Sum(), 9_700, 10_300);
        var bucket = Cohorts.Bucket("fldbbbbbbbbbbbbbbbbb", "web", new string('x', 1000));
        Assert.InRange(bucket, 0, 99);
    }

    private static Image Ready(Rollout? rollout = null, Deprecation? deprecation = null) => new("imgaaaaaaaaaaaaaaaaa", "fldaaaaaaaaaaaaaaaaa", DateTimeOffset.UnixEpoch, "a", "",
        new Dictionary<string, string>(), "web", 1, 1, [], ImageStatus.Ready, new OsInfo(OsType.Linux), false, null, null, null, deprecation ?? Deprecation.Active, 1, rollout);

    [Fact]
    public void What_is_due_is_made_and_unscheduled_and_nothing_goes_back_towards_active()
    {
        var t0 = new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var image = Ready(new Rollout(0, [new RolloutStep(10, t0.AddHours(1)), new RolloutStep(50, t0.AddHours(2)), new RolloutStep(100, t0.AddHours(3))]),
            new Deprecation(DeprecationState.Active, DeprecateAt: t0.AddHours(2), ObsoleteAt: t0.AddHours(4), DeleteAt: t0.AddHours(5)));

        var (early, none) = Scheduling.ApplyDue(image, t0);
        Assert.Equal(image, early);
        Assert.Null(none);

        var (later, delete) = Scheduling.ApplyDue(image, t0.AddHours(2.5));
        Assert.Equal(50, later.Rollout!.Percent);
        Assert.Equal([new RolloutStep(100, t0.AddHours(3))], later.Rollout.Steps!);
        Assert.Equal(new Deprecation(DeprecationState.Deprecated, null, null, t0.AddHours(4), t0.AddHours(5)), later.Deprecation);
        Assert.Null(delete);

        var (last, deleteDue) = Scheduling.ApplyDue(later, t0.AddHours(6));
        Assert.Equal((100, null), (last.Rollout!.Percent, last.Rollout.Steps));
        Assert.Equal(new Deprecation(DeprecationState.Obsolete), last.Deprecation);
        Assert.Equal(t0.AddHours(5), deleteDue);

        var obsolete = Ready(deprecation: new Deprecation(DeprecationState.Obsolete, DeprecateAt: t0));
        Assert.Equal(DeprecationState.Obsolete, Scheduling.ApplyDue(obsolete, t0).Image.Deprecation.State);
        var creating = Ready(new Rollout(0, [new RolloutStep(30, t0)]), new Deprecation(DeprecationState.Active, DeprecateAt: t0)) with { Status = ImageStatus.Creating };
        var applied = Scheduling.ApplyDue(creating, t0).Image;
        Assert.Equal((30, DeprecationState.Active), (applied.Rollout!.Percent, applied.Deprecation.State));
    }

    [Fact]
    public void A_schedule_is_merged_checked_for_order_and_the_future_and_cleared_by_name()
    {
        var now = new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var current = new Deprecation(DeprecationState.Active, DeprecateAt: now.AddHours(1), DeleteAt: now.AddHours(9));
        var merged = ReleaseRules.Schedule(current, new DeprecateRequest(null, ObsoleteAt: now.AddHours(2)), now);
        Assert.Equal(new Deprecation(DeprecationState.Active, null, now.AddHours(1), now.AddHours(2), now.AddHours(9)), merged);
        Assert.Null(ReleaseRules.Schedule(current, new DeprecateRequest(null, Clear: LifecycleTimes.DeleteAt), now).DeleteAt);
        Assert.Throws<StratumException>(() => ReleaseRules.Schedule(current, new DeprecateRequest(null, ObsoleteAt: now.AddMinutes(30)), now));
        Assert.Throws<StratumException>(() => ReleaseRules.Schedule(current, new DeprecateRequest(null, DeleteAt: now), now));
        Assert.Throws<StratumException>(() => ReleaseRules.Schedule(current, new DeprecateRequest(null, DeleteAt: now.AddHours(10), Clear: LifecycleTimes.DeleteAt), now));
        Assert.Equal([now.AddHours(1), now.AddHours(2)], ReleaseRules.Validate(new RolloutRequest(Steps: [new RolloutStep(100, now.AddHours(2)), new RolloutStep(10, now.AddHours(1))]), now)!.Select(s => s.At));
        Assert.Null(ReleaseRules.Validate(new RolloutRequest(5, []), now));
    }
}
