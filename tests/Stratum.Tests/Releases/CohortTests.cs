using Stratum.Changes;
using Stratum.Tests.Infrastructure;

namespace Stratum.Tests.Releases;

/// <summary>
/// Staged rollout: 1,000 cohort keys split by the rollout's percent, each key's answer the same on
/// every call, through the gateway's cache and through the Orleans client and the silo's cache.
/// </summary>
[Collection(ReleaseCollection.Name)]
public sealed class CohortTests(ReleaseFixture fixture)
{
    private static readonly IReadOnlyList<string> Keys = Enumerable.Range(0, 1000).Select(i => $"host-{i}").ToList();

    /// <summary>Every key's latest through the gateway, as bob.</summary>
    private async Task<string?[]> GatewayAnswersAsync(string folderId, string family)
    {
        var answers = new string?[Keys.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, Keys.Count), new ParallelOptions { MaxDegreeOfParallelism = 16 },
            async (i, _) => answers[i] = await ReleaseFixture.LatestAsync(fixture.Bob, folderId, family, Keys[i]));
        return answers;
    }

    /// <summary>Every key's latest through the Orleans client, as bob.</summary>
    private async Task<string?[]> ClientAnswersAsync(string folderId, string family)
    {
        var catalog = fixture.Stratum.Client.GetGrain<IImageCatalogGrain>(0);
        var answers = new string?[Keys.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, Keys.Count), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, _) =>
        {
            try
            {
                answers[i] = (await TestCallers.As(Caller.User("bob"), () => catalog.GetLatestByFamilyAsync(Caller.User("bob"), folderId, family, Keys[i]))).Id;
            }
            catch (StratumException e) when (e.Code == ErrorCode.NotFound)
            {
                answers[i] = null;
            }
        });
        return answers;
    }

    /// <summary>What each key should get: the new image for the buckets below the percent, else the old.</summary>
    private static string?[] Expected(string folderId, string family, int percent, string? newer, string? older) =>
        Keys.Select(k => Cohorts.Bucket(folderId, family, k) < percent ? newer : older).ToArray();

    [Fact]
    public async Task A_rollout_splits_a_thousand_cohort_keys_by_its_percent_and_each_key_keeps_its_answer_on_both_paths()
    {
        var folderId = await fixture.FolderAsync();
        var old = await fixture.ImportIdAsync(folderId, "web");
        var fresh = await fixture.ImportIdAsync(folderId, "web", rollout: new { percent = 10 });

        var shares = new List<string>();
        foreach (var percent in new[] { 10, 50, 100 })
        {
            if (percent != 10)
            {
                await fixture.RolloutAsync(fresh, new { percent });
            }
            var expected = Expected(folderId, "web", percent, fresh, old);
            // The caches follow within their freshness bound; then every key answers as its bucket says.
            string?[] gateway = [];
            await ReleaseFixture.EventuallyAsync(async () => (gateway = await GatewayAnswersAsync(folderId, "web")).SequenceEqual(expected),
                $"gateway answers at {percent} %", seconds: 15);
            var share = gateway.Count(a => a == fresh) / 10.0;
            shares.Add($"{percent}%: {share}%");
            var tolerance = percent switch { 10 => 3, 50 => 5, _ => 0 };
            Assert.InRange(share, percent - tolerance, percent + tolerance);

            // Once the feed has settled (the rollout's last event may land a moment later and drop the
            // folder's answers once more), a whole pass is served by the cache, no read reaching the
            // grains, with the same answers: on the gateway, and through the Orleans client on the silo.
            await ReleaseFixture.EventuallyAsync(() => AllHitsAsync(fixture.GatewayCache, () => GatewayAnswersAsync(folderId, "web"), expected), "a gateway pass of cache hits");
            await ReleaseFixture.EventuallyAsync(() => AllHitsAsync(fixture.SiloCache, () => ClientAnswersAsync(folderId, "web"), expected), "a client pass of silo cache hits");
        }
        Console.WriteLine($"cohort shares over 1,000 keys: {string.Join(", ", shares)}");
    }

    /// <summary>True when a pass answers as expected and none of its reads went to the grains.</summary>
    private static async Task<bool> AllHitsAsync(LatestCache cache, Func<Task<string?[]>> pass, string?[] expected)
    {
        var answers = await pass();
        Assert.Equal(expected, answers);
        var fetches = cache.Fetches;
        return (await pass()).SequenceEqual(expected) && cache.Fetches == fetches;
    }

    [Fact]
    public async Task A_caller_without_a_cohort_key_is_its_own_cohort()
    {
        var folderId = await fixture.FolderAsync();
        var old = await fixture.ImportIdAsync(folderId, "subject");
        var fresh = await fixture.ImportIdAsync(folderId, "subject", rollout: new { percent = 50 });
        var catalog = fixture.Stratum.Client.GetGrain<IImageCatalogGrain>(0);
        await fixture.Admin.GrantAsync(folderId, "viewer", "carol");

        // Through the gateway: bob's answer is the one for the key "userAccount:bob".
        var bobs = Cohorts.Bucket(folderId, "subject", "userAccount:bob") < 50 ? fresh : old;
        Assert.Equal(bobs, await ReleaseFixture.LatestAsync(fixture.Bob, folderId, "subject"));
        Assert.Equal(bobs, await ReleaseFixture.LatestAsync(fixture.Bob, folderId, "subject", "userAccount:bob"));

        // Through the Orleans client: many subjects, each on its side of the rollout, both overloads alike.
        var sides = new HashSet<string>();
        for (var i = 0; i < 40; i++)
        {
            var caller = Caller.User($"user-{i}");
            await fixture.Admin.GrantAsync(folderId, "viewer", $"user-{i}");
            var expected = Cohorts.Bucket(folderId, "subject", caller.Subject.ToString()) < 50 ? fresh : old;
            using (TestCallers.ActAs(caller))
            {
                Assert.Equal(expected, (await catalog.GetLatestByFamilyAsync(caller, folderId, "subject")).Id);
                Assert.Equal(expected, (await catalog.GetLatestByFamilyAsync(caller, folderId, "subject", null)).Id);
            }
            sides.Add(expected);
        }
        Assert.Equal(2, sides.Count);
    }

    [Fact]
    public async Task A_candidate_is_latest_for_no_one_and_rolling_back_to_zero_restores_the_previous_answer_within_the_freshness_bound()
    {
        var folderId = await fixture.FolderAsync();
        var old = await fixture.ImportIdAsync(folderId, "cand");
        var candidate = await fixture.ImportIdAsync(folderId, "cand", rollout: new { percent = 0 });
        Assert.Equal(Keys.Select(_ => old), await GatewayAnswersAsync(folderId, "cand"));
        Assert.Equal(Keys.Select(_ => old), await ClientAnswersAsync(folderId, "cand"));

        // A family whose only member is a candidate has a latest for no one.
        var lonely = await fixture.ImportIdAsync(folderId, "lonely", rollout: new { percent = 0 });
        Assert.Null(await ReleaseFixture.LatestAsync(fixture.Bob, folderId, "lonely", "any"));
        Assert.Null(await ReleaseFixture.LatestAsync(fixture.Admin, folderId, "lonely"));

        // Out to 60 %, the caches hold the new answers ...
        await fixture.RolloutAsync(candidate, new { percent = 60 });
        var expected = Expected(folderId, "cand", 60, candidate, old);
        await ReleaseFixture.EventuallyAsync(async () => (await GatewayAnswersAsync(folderId, "cand")).SequenceEqual(expected), "rolled out to 60 %");
        Assert.Equal(expected, await ClientAnswersAsync(folderId, "cand"));

        // ... and back to 0: every key has the old image again, through both caches, within the bound.
        await fixture.RolloutAsync(candidate, new { percent = 0 });
        var took = await ReleaseFixture.EventuallyAsync(async () => (await GatewayAnswersAsync(folderId, "cand")).All(a => a == old) &&
            (await ClientAnswersAsync(folderId, "cand")).All(a => a == old), "rolled back to 0 %", seconds: 5);
        Console.WriteLine($"rollback to 0 % seen by all 1,000 keys on both paths after {took.TotalMilliseconds:F0} ms");
        Assert.Equal(lonely, (await fixture.ImageAsync(lonely)).Str("id"));
    }

    [Fact]
    public async Task The_families_list_shows_the_latest_for_everyone_and_the_images_rolling_out()
    {
        var folderId = await fixture.FolderAsync();
        var old = await fixture.ImportIdAsync(folderId, "listed");
        var ten = await fixture.ImportIdAsync(folderId, "listed", rollout: new { percent = 10 });
        var candidate = await fixture.ImportIdAsync(folderId, "listed", rollout: new { percent = 0 });

        var family = (await fixture.Bob.GetReplyAsync($"/compute/v1/families?folderId={folderId}")).Body!["families"]!.AsArray().Single()!;
        Assert.Equal(old, family.Str("latestImageId"));
        Assert.Equal("3", family.Str("imageCount"));
        var rollouts = family["rollouts"]!.AsArray().Select(r => (r!.Str("imageId"), r!["percent"]!.GetValue<int>())).ToList();
        Assert.Equal([(candidate, 0), (ten, 10)], rollouts);

        await fixture.RolloutAsync(ten, new { percent = 100 });
        family = (await fixture.Bob.GetReplyAsync($"/compute/v1/families?folderId={folderId}")).Body!["families"]!.AsArray().Single()!;
        Assert.Equal(ten, family.Str("latestImageId"));
        Assert.Equal([(candidate, 0)], family["rollouts"]!.AsArray().Select(r => (r!.Str("imageId"), r!["percent"]!.GetValue<int>())).ToList());
        Assert.Equal("100", (await fixture.ImageAsync(ten))["rollout"]!["percent"]!.ToString());
    }

    [Fact]
    public async Task A_bulk_create_of_a_thousand_instances_at_ten_percent_puts_about_a_tenth_of_the_boot_disks_on_the_new_image()
    {
        var folderId = await fixture.FolderAsync();
        foreach (var quota in new[] { "compute.instances.count", "compute.disks.count" })
        {
            await fixture.Admin.SetQuotaAsync(folderId, quota, 1000);
        }
        await fixture.Admin.SetQuotaAsync(folderId, "compute.diskPools.count", 2);
        var old = (await fixture.ImportAsync(folderId, "fleet", pooled: true)).Str("id");
        var fresh = (await fixture.ImportAsync(folderId, "fleet", rollout: new { percent = 10 }, pooled: true)).Str("id");

        var result = await fixture.Admin.DoneAsync(HttpMethod.Post, "/compute/v1/instances:bulkCreate", new
        {
            folderId, count = 1000, namePrefix = "vm",
            bootDiskSpec = new { diskSpec = new { size = 8L << 20, family = new { folderId, name = "fleet" } } },
        });
        Assert.Empty(result["failures"]!.AsArray());
        var instances = result["instances"]!.AsArray().Select(i => i!).ToList();
        Assert.Equal(1000, instances.Count);

        var disks = await fixture.Admin.AllAsync($"/compute/v1/disks?folderId={folderId}", "disks");
        Assert.Equal(1000, disks.Count);
        var onNew = disks.Count(d => d.Str("sourceImageId") == fresh);
        Assert.Equal(1000 - onNew, disks.Count(d => d.Str("sourceImageId") == old));
        Console.WriteLine($"bulk create of 1,000 at 10 %: {onNew / 10.0}% of boot disks on the new image");
        Assert.InRange(onNew, 70, 130);

        // Each instance's disk is on the image its own id's cohort resolves to.
        var diskOf = disks.ToDictionary(d => d.Str("id"), d => d.Str("sourceImageId"));
        Assert.All(instances, i => Assert.Equal(Cohorts.Bucket(folderId, "fleet", i.Str("id")) < 10 ? fresh : old, diskOf[i["bootDisk"]!.Str("diskId")]));
    }

    [Fact]
    public async Task A_single_disk_or_instance_from_a_family_follows_its_own_ids_cohort()
    {
        var folderId = await fixture.FolderAsync();
        var old = await fixture.ImportIdAsync(folderId, "single");
        var fresh = await fixture.ImportIdAsync(folderId, "single", rollout: new { percent = 50 });
        var seen = new HashSet<string>();
        for (var i = 0; i < 12; i++)
        {
            var disk = await fixture.Admin.DoneAsync(HttpMethod.Post, "/compute/v1/disks", new { folderId, size = 8L << 20, family = new { folderId, name = "single" } });
            Assert.Equal(Cohorts.Bucket(folderId, "single", disk.Str("id")) < 50 ? fresh : old, disk.Str("sourceImageId"));
            seen.Add(disk.Str("sourceImageId"));
            await fixture.Admin.DoneAsync(HttpMethod.Delete, $"/compute/v1/disks/{disk.Str("id")}");
        }
        var instance = await fixture.Admin.DoneAsync(HttpMethod.Post, "/compute/v1/instances", new
        {
            folderId, bootDiskSpec = new { diskSpec = new { size = 8L << 20, family = new { folderId, name = "single" } } },
        });
        var bootDisk = (await fixture.Admin.GetReplyAsync($"/compute/v1/disks/{instance["bootDisk"]!.Str("diskId")}")).Body!;
        Assert.Equal(Cohorts.Bucket(folderId, "single", instance.Str("id")) < 50 ? fresh : old, bootDisk.Str("sourceImageId"));
        Assert.Equal(2, seen.Count);
    }
}
