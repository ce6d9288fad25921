using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Stratum.Images;
using Stratum.Tests.Infrastructure;

namespace Stratum.Tests.Gateway;

[Collection(GatewayCollection.Name)]
public sealed class ComputeTests(GatewayFixture fixture)
{
    private const long GiB = 1L << 30;
    private readonly HttpClient _admin = fixture.Stratum.Http();

    private async Task<string> FolderAsync(int diskPools = 0)
    {
        var folderId = await _admin.CreateFolderAsync();
        await _admin.SetQuotaAsync(folderId, "compute.diskPools.count", diskPools);
        return folderId;
    }

    private async Task<JsonNode> ImageAsync(string folderId, bool pooled = false, string? family = null, int bytes = 64 * 1024)
    {
        var content = DiskImages.Raw(bytes);
        return await _admin.DoneAsync(HttpMethod.Post, "/compute/v1/images", new { folderId, pooled, family, uri = fixture.Files.Add(Names.Unique("c"), content) });
    }

    private async Task<JsonNode> LayerAsync(string layerId) => (await _admin.GetReplyAsync($"/compute/v1/layers/{layerId}")).Body!;

    [Fact]
    public async Task A_disk_from_a_standard_image_gets_its_own_copy()
    {
        var folderId = await FolderAsync();
        var image = await ImageAsync(folderId, bytes: 100 * 1024);
        var copied = fixture.Stratum.SiloService<ImageData>();
        var copiedBefore = copied.BytesCopied;

        var disk = await _admin.DoneAsync(HttpMethod.Post, "/compute/v1/disks", new { folderId, size = GiB, imageId = image.Str("id"), name = "data" });

        Assert.Equal(image.Str("id"), disk.Str("sourceImageId"));
        Assert.Null(disk["layerId"]);
        Assert.Equal("READY", disk.Str("status"));
        Assert.True(copied.BytesCopied - copiedBefore >= 100 * 1024);
        Assert.Equal(disk.Str("id"), (await _admin.GetReplyAsync($"/compute/v1/disks/{disk.Str("id")}")).Body!.Str("id"));
        var list = (await _admin.GetReplyAsync($"/compute/v1/disks?folderId={folderId}")).Body!["disks"]!.AsArray();
        Assert.Equal([disk.Str("id")], list.Select(d => d!.Str("id")));
    }

    [Fact]
    public async Task A_disk_from_a_pooled_image_shares_its_layer_and_the_count_is_exact()
    {
        var folderId = await FolderAsync(diskPools: 1);
        var image = await ImageAsync(folderId, pooled: true);
        var layerId = image.Str("layerId");
        Assert.Equal("1", (await LayerAsync(layerId)).Str("referenceCount"));

        var disks = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            disks.Add((await _admin.DoneAsync(HttpMethod.Post, "/compute/v1/disks", new { folderId, size = GiB, imageId = image.Str("id") })).Str("id"));
        }
        var layer = await LayerAsync(layerId);
        Assert.Equal("4", layer.Str("referenceCount"));
        Assert.Equal([image.Str("id")], layer["imageIds"]!.AsArray().Select(i => i!.GetValue<string>()));

        // The image goes; its disks keep the layer alive.
        await _admin.DoneAsync(HttpMethod.Delete, $"/compute/v1/images/{image.Str("id")}");
        layer = await LayerAsync(layerId);
        Assert.Equal("3", layer.Str("referenceCount"));
        Assert.Equal("READY", layer.Str("status"));

        foreach (var disk in disks)
        {
            await _admin.DoneAsync(HttpMethod.Delete, $"/compute/v1/disks/{disk}");
        }
        layer = await Wait.ForAsync(() => LayerAsync(layerId), l => l.Str("status") == "FREED", seconds: 10, describe: l => l.ToJsonString());
        Assert.Equal("0", layer.Str("referenceCount"));
    }

    [Fact]
    public async Task Pooled_images_of_identical_content_share_one_layer()
    {
        var folderId = await FolderAsync(diskPools: 2);
        var content = DiskImages.Raw(32 * 1024);
        var first = await _admin.DoneAsync(HttpMethod.Post, "/compute/v1/images", new { folderId, pooled = true, uri = fixture.Files.Add(Names.Unique("same"), content) });
        var second = await _admin.DoneAsync(HttpMethod.Post, "/compute/v1/images", new { folderId, pooled = true, uri = fixture.Files.Add(Names.Unique("same"), content) });

        Assert.Equal(first.Str("layerId"), second.Str("layerId"));
        var layer = await LayerAsync(first.Str("layerId"));
        Assert.Equal("2", layer.Str("referenceCount"));
        Assert.Equal(first.Str("checksum"), layer.Str("checksum"));
    }

    [Fact]
    public async Task A_layer_shared_by_two_tenants_shows_each_only_its_own_holders()
    {
        var content = DiskImages.Raw(48 * 1024);
        var ours = await FolderAsync(diskPools: 1);
        var theirs = await FolderAsync(diskPools: 1);
        await _admin.GrantAsync(ours, "editor", "bob");
        var mine = await _admin.DoneAsync(HttpMethod.Post, "/compute/v1/images", new { folderId = ours, pooled = true, uri = fixture.Files.Add(Names.Unique("shared"), content) });
        var other = await _admin.DoneAsync(HttpMethod.Post, "/compute/v1/images", new { folderId = theirs, pooled = true, uri = fixture.Files.Add(Names.Unique("shared"), content) });
        Assert.Equal(mine.Str("layerId"), other.Str("layerId"));
        await _admin.DoneAsync(HttpMethod.Post, "/compute/v1/disks", new { folderId = ours, size = GiB, imageId = mine.Str("id") });
        for (var i = 0; i < 3; i++)
        {
            await _admin.DoneAsync(HttpMethod.Post, "/compute/v1/disks", new { folderId = theirs, size = GiB, imageId = other.Str("id") });
        }
        var bob = fixture.Stratum.Http("dev-bob");

        var seen = await bob.GetReplyAsync($"/compute/v1/layers/{mine.Str("layerId")}");
        var all = await LayerAsync(mine.Str("layerId"));

        // Bob may read one image and one disk; the other tenant's image id and its three disks were his to see.
        Assert.True(seen.Status == HttpStatusCode.OK, seen.Text);
        Assert.Equal("2", seen.Body!.Str("referenceCount"));
        Assert.Equal([mine.Str("id")], seen.Body!["imageIds"]!.AsArray().Select(i => i!.GetValue<string>()));
        Assert.Equal("6", all.Str("referenceCount"));
        Assert.Equal(2, all["imageIds"]!.AsArray().Count);
    }

    [Fact]
    public async Task Disks_made_from_pooled_images_copy_nothing()
    {
        var folderId = await FolderAsync(diskPools: 1);
        var image = await ImageAsync(folderId, pooled: true, bytes: 200 * 1024);
        var copied = fixture.Stratum.SiloService<ImageData>();
        var before = copied.BytesCopied;

        for (var i = 0; i < 5; i++)
        {
            await _admin.DoneAsync(HttpMethod.Post, "/compute/v1/disks", new { folderId, size = GiB, imageId = image.Str("id") });
        }

        // The gateway tests run one at a time, and nothing else in this process copies data.
        Assert.Equal(0, copied.BytesCopied - before);
        var disk = (await _admin.GetReplyAsync($"/compute/v1/disks?folderId={folderId}")).Body!["disks"]!.AsArray()[0]!;
        Assert.Equal(image.Str("layerId"), disk.Str("layerId"));
    }

    [Fact]
    public async Task The_janitor_removes_data_copies_no_resource_owns_and_keeps_the_rest()
    {
        var folderId = await FolderAsync();
        var image = await ImageAsync(folderId);
        var disk = await _admin.DoneAsync(HttpMethod.Post, "/compute/v1/disks", new { folderId, size = GiB, imageId = image.Str("id") });
        var data = fixture.Stratum.Cluster.GetSiloServiceProvider(fixture.Stratum.Cluster.Silos[0].SiloAddress).GetRequiredService<ImageData>();
        var orphan = $"dskaa{Guid.NewGuid():N}"[..20] + ".left-by-a-crash";
        await data.CopyAsync(image.Str("id"), orphan, 0);

        var janitor = fixture.Stratum.SiloGrains.GetGrain<Stratum.Deployment.IDataJanitorGrain>(0);
        Assert.True(await janitor.SweepAsync(TimeSpan.Zero) >= 1);

        var names = new List<string>();
        await foreach (var (name, _) in data.CopiesAsync())
        {
            names.Add(name);
        }
        Assert.DoesNotContain(orphan, names);
        Assert.Contains(names, n => n.StartsWith(disk.Str("id") + ".", StringComparison.Ordinal));
        Assert.Equal(0, await janitor.SweepAsync(TimeSpan.Zero));
    }

    [Fact]
    public async Task A_family_is_resolved_by_the_server_and_the_image_recorded()
    {
        var folderId = await FolderAsync();
        await ImageAsync(folderId, family: "web");
        var latest = await ImageAsync(folderId, family: "web");

        var disk = await _admin.DoneAsync(HttpMethod.Post, "/compute/v1/disks", new { folderId, size = GiB, family = new { folderId, name = "web" } });

        Assert.Equal(latest.Str("id"), disk.Str("sourceImageId"));
    }

    [Fact]
    public async Task Refused_sources_and_sizes()
    {
        var folderId = await FolderAsync();
        var image = await ImageAsync(folderId);
        await _admin.DoneAsync(HttpMethod.Patch, $"/compute/v1/images/{image.Str("id")}", new { minDiskSize = 2 * GiB });

        var small = await _admin.PostReplyAsync("/compute/v1/disks", new { folderId, size = GiB, imageId = image.Str("id") });
        Assert.True(small.Status == HttpStatusCode.BadRequest && small.Code == 3 && small.Message!.Contains("minDiskSize"), small.Text);

        await _admin.DoneAsync(HttpMethod.Post, $"/compute/v1/images/{image.Str("id")}:deprecate", new { state = "OBSOLETE" });
        var obsolete = await _admin.PostReplyAsync("/compute/v1/disks", new { folderId, size = 4 * GiB, imageId = image.Str("id") });
        Assert.True(obsolete.Status == HttpStatusCode.BadRequest && obsolete.Code == 9, obsolete.Text);

        var unknown = await _admin.PostReplyAsync("/compute/v1/disks", new { folderId, size = GiB, imageId = "imgaaaaaaaaaaaaaaaaa" });
        Assert.Equal(HttpStatusCode.NotFound, unknown.Status);

        var strangers = await _admin.CreateFolderAsync();
        var hidden = await ImageAsync(strangers);
        await _admin.GrantAsync(folderId, "editor", "bob");
        var unreadable = await fixture.Stratum.Http("dev-bob").PostReplyAsync("/compute/v1/disks", new { folderId, size = GiB, imageId = hidden.Str("id") });
        Assert.Equal(HttpStatusCode.NotFound, unreadable.Status);

        Assert.Empty((await _admin.GetReplyAsync($"/compute/v1/disks?folderId={folderId}")).Body!["disks"]!.AsArray());
    }

    [Fact]
    public async Task An_instance_owns_its_boot_disk_which_cannot_be_deleted_while_attached()
    {
        var folderId = await FolderAsync();
        var image = await ImageAsync(folderId);

        var instance = await _admin.DoneAsync(HttpMethod.Post, "/compute/v1/instances",
            new { folderId, name = "web-1", bootDiskSpec = new { diskSpec = new { size = GiB, imageId = image.Str("id") } } });

        Assert.Equal("RUNNING", instance.Str("status"));
        var diskId = instance["bootDisk"]!.Str("diskId");
        Assert.True(instance["bootDisk"]!["autoDelete"]!.GetValue<bool>());
        var refused = await _admin.SendAsync(HttpMethod.Delete, $"/compute/v1/disks/{diskId}");
        Assert.True(refused.Status == HttpStatusCode.BadRequest && refused.Code == 9 && refused.Message!.Contains(instance.Str("id")), refused.Text);

        var operations = (await _admin.GetReplyAsync($"/compute/v1/instances/{instance.Str("id")}/operations")).Body!["operations"]!.AsArray();
        var created = Assert.Single(operations)!;
        Assert.Equal(instance.Str("id"), created["response"]!.Str("id"));
        Assert.Equal("userAccount:admin", created.Str("createdBy"));
        Assert.Equal(HttpStatusCode.NotFound, (await fixture.Stratum.Http("dev-bob").GetReplyAsync($"/compute/v1/instances/{instance.Str("id")}/operations")).Status);

        await _admin.DoneAsync(HttpMethod.Delete, $"/compute/v1/instances/{instance.Str("id")}");
        Assert.Equal(HttpStatusCode.NotFound, (await _admin.GetReplyAsync($"/compute/v1/disks/{diskId}")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await _admin.GetReplyAsync($"/compute/v1/instances/{instance.Str("id")}")).Status);
    }

    [Fact]
    public async Task An_instance_on_an_existing_disk_leaves_it_when_deleted()
    {
        var folderId = await FolderAsync();
        var disk = await _admin.DoneAsync(HttpMethod.Post, "/compute/v1/disks", new { folderId, size = GiB });

        var instance = await _admin.DoneAsync(HttpMethod.Post, "/compute/v1/instances", new { folderId, bootDiskSpec = new { diskId = disk.Str("id") } });
        Assert.Equal(instance.Str("id"), (await _admin.GetReplyAsync($"/compute/v1/disks/{disk.Str("id")}")).Body!.Str("instanceId"));
        var second = await _admin.PostReplyAsync("/compute/v1/instances", new { folderId, bootDiskSpec = new { diskId = disk.Str("id") } });
        Assert.True(second.Status == HttpStatusCode.BadRequest && second.Code == 9, second.Text);

        await _admin.DoneAsync(HttpMethod.Delete, $"/compute/v1/instances/{instance.Str("id")}");
        var detached = (await _admin.GetReplyAsync($"/compute/v1/disks/{disk.Str("id")}")).Body!;
        Assert.Null(detached["instanceId"]);
    }

    [Fact]
    public async Task A_disk_s_create_operation_is_still_found_after_the_disk_was_attached_and_detached()
    {
        var folderId = await FolderAsync();
        var created = await _admin.PostReplyAsync("/compute/v1/disks", new { folderId, size = GiB, name = "data-1" });
        var (operationId, diskId) = (created.Body!.Str("id"), created.Body!["response"]!.Str("id"));

        var instance = await _admin.DoneAsync(HttpMethod.Post, "/compute/v1/instances", new { folderId, bootDiskSpec = new { diskId } });
        await _admin.DoneAsync(HttpMethod.Delete, $"/compute/v1/instances/{instance.Str("id")}");

        // The disk's row was rewritten twice (attached, detached); its create operation rides in it.
        var operation = await _admin.GetReplyAsync($"/operations/{operationId}");
        Assert.True(operation.Status == HttpStatusCode.OK, operation.Text);
        Assert.Equal((true, diskId, "Create disk data-1"), (operation.Body!["done"]!.GetValue<bool>(), operation.Body!["response"]!.Str("id"), operation.Body!.Str("description")));
        var listed = Assert.Single((await _admin.GetReplyAsync($"/compute/v1/disks/{diskId}/operations")).Body!["operations"]!.AsArray())!;
        Assert.Equal(("Create disk data-1", "userAccount:admin"), (listed.Str("description"), listed.Str("createdBy")));
    }

    [Fact]
    public async Task A_create_operation_is_still_found_after_its_resource_was_deleted()
    {
        var folderId = await FolderAsync();
        var vm = await _admin.PostReplyAsync("/compute/v1/instances", new { folderId, name = "gone-1", bootDiskSpec = new { diskSpec = new { size = GiB } } });
        var disk = await _admin.PostReplyAsync("/compute/v1/disks", new { folderId, size = GiB, name = "gone-2" });
        var snapshot = await _admin.PostReplyAsync("/compute/v1/snapshots", new { folderId, diskId = disk.Body!["response"]!.Str("id") });
        var created = new[] { (vm, "instances"), (snapshot, "snapshots"), (disk, "disks") };

        foreach (var (operation, plural) in created)
        {
            await _admin.DoneAsync(HttpMethod.Delete, $"/compute/v1/{plural}/{operation.Body!["response"]!.Str("id")}");
        }

        // Read for the first time only now, after the rows they rode in are gone.
        foreach (var (operation, _) in created)
        {
            var found = await _admin.GetReplyAsync($"/operations/{operation.Body!.Str("id")}");
            Assert.True(found.Status == HttpStatusCode.OK, found.Text);
            Assert.Equal((true, operation.Body!["response"]!.Str("id"), operation.Body!.Str("description")),
                (found.Body!["done"]!.GetValue<bool>(), found.Body!["response"]!.Str("id"), found.Body!.Str("description")));
            // The same operation as answered at create, to the tick.
            Assert.Equal((operation.Body!.Str("createdAt"), operation.Body!.Str("modifiedAt")), (found.Body!.Str("createdAt"), found.Body!.Str("modifiedAt")));
        }
    }

    [Fact]
    public async Task A_disk_s_operations_are_those_that_made_it_as_it_was_made()
    {
        var folderId = await FolderAsync();
        var standalone = await _admin.PostReplyAsync("/compute/v1/disks", new { folderId, size = GiB, name = "made-alone" });
        var attachedTo = await _admin.DoneAsync(HttpMethod.Post, "/compute/v1/instances",
            new { folderId, bootDiskSpec = new { diskId = standalone.Body!["response"]!.Str("id") } });
        var vm = await _admin.PostReplyAsync("/compute/v1/instances", new { folderId, name = "made-with", bootDiskSpec = new { diskSpec = new { size = GiB } } });
        var bootDiskId = vm.Body!["response"]!["bootDisk"]!.Str("diskId");

        // Read first while attached: the disk as it was made, with no instance (it was one later).
        var made = await _admin.GetReplyAsync($"/operations/{standalone.Body!.Str("id")}");
        var bootDiskOperations = (await _admin.GetReplyAsync($"/compute/v1/disks/{bootDiskId}/operations")).Body!["operations"]!.AsArray();

        Assert.True(made.Status == HttpStatusCode.OK && made.Body!["response"]!["instanceId"] is null, made.Text);
        Assert.Equal(attachedTo.Str("id"), (await _admin.GetReplyAsync($"/compute/v1/disks/{standalone.Body!["response"]!.Str("id")}")).Body!.Str("instanceId"));
        // A boot disk made by its instance's create lists that operation (an id named after the disk was never an operation).
        var madeBy = Assert.Single(bootDiskOperations)!;
        Assert.Equal((vm.Body!.Str("id"), "Create instance made-with"), (madeBy.Str("id"), madeBy.Str("description")));
        Assert.Equal(HttpStatusCode.OK, (await _admin.GetReplyAsync($"/operations/{madeBy.Str("id")}")).Status);
    }

    [Fact]
    public async Task Snapshots_and_images_from_disks_carry_data_and_os()
    {
        var folderId = await FolderAsync();
        var image = await ImageAsync(folderId);
        var disk = await _admin.DoneAsync(HttpMethod.Post, "/compute/v1/disks", new { folderId, size = GiB, imageId = image.Str("id") });
        var windows = await _admin.DoneAsync(HttpMethod.Post, "/compute/v1/images", new { folderId, diskId = disk.Str("id"), os = new { type = "WINDOWS" } });
        Assert.Equal("WINDOWS", windows["os"]!.Str("type"));
        Assert.Equal(image.Str("storageSize"), windows.Str("storageSize"));

        var winDisk = await _admin.DoneAsync(HttpMethod.Post, "/compute/v1/disks", new { folderId, size = GiB, imageId = windows.Str("id") });
        var snapshot = await _admin.DoneAsync(HttpMethod.Post, "/compute/v1/snapshots", new { folderId, diskId = winDisk.Str("id"), name = "before-upgrade" });
        Assert.Equal(winDisk.Str("id"), snapshot.Str("sourceDiskId"));
        Assert.Equal(GiB.ToString(), snapshot.Str("diskSize"));

        var fromSnapshot = await _admin.DoneAsync(HttpMethod.Post, "/compute/v1/images", new { folderId, snapshotId = snapshot.Str("id") });
        Assert.Equal("WINDOWS", fromSnapshot["os"]!.Str("type"));
        var restored = await _admin.DoneAsync(HttpMethod.Post, "/compute/v1/disks", new { folderId, size = GiB, snapshotId = snapshot.Str("id") });
        Assert.Equal(snapshot.Str("id"), restored.Str("sourceSnapshotId"));
    }

    [Fact]
    public async Task Compute_quotas_refuse_at_the_limit_and_count_exactly()
    {
        var folderId = await FolderAsync();
        await _admin.SetQuotaAsync(folderId, "compute.disks.count", 2);
        await _admin.DoneAsync(HttpMethod.Post, "/compute/v1/disks", new { folderId, size = GiB });
        var second = await _admin.DoneAsync(HttpMethod.Post, "/compute/v1/disks", new { folderId, size = GiB });

        var third = await _admin.PostReplyAsync("/compute/v1/disks", new { folderId, size = GiB });
        Assert.True(third.Status == (HttpStatusCode)429 && third.Code == 8, third.Text);
        Assert.Contains("compute.disks.count", third.Message);
        // Usage too, as the folder's own refusal (an image's) says it: a trial found the shards' message left it out.
        Assert.Contains("limit 2, usage 2, requested 1.", third.Message);

        await _admin.DoneAsync(HttpMethod.Delete, $"/compute/v1/disks/{second.Str("id")}");
        var quotas = (await _admin.GetReplyAsync($"/compute/v1/folders/{folderId}/quotas")).Body!["quotas"]!.AsArray();
        Assert.Equal("1", quotas.Single(q => q!.Str("name") == "compute.disks.count")!.Str("usage"));
        Assert.Equal(GiB.ToString(), quotas.Single(q => q!.Str("name") == "compute.disks.size")!.Str("usage"));
        await _admin.DoneAsync(HttpMethod.Post, "/compute/v1/disks", new { folderId, size = GiB });
    }

    [Fact]
    public async Task Names_of_creates_refused_for_quota_together_are_all_free_at_once()
    {
        var folderId = await FolderAsync();
        await _admin.SetQuotaAsync(folderId, "compute.disks.count", 0);
        var names = Enumerable.Range(0, 24).Select(i => $"refused-{i}").ToList();

        // At once, so the shards refuse them in batches: each batch reserved its names before it knew the quota.
        var refused = await Task.WhenAll(names.Select(name => _admin.PostReplyAsync("/compute/v1/disks", new { folderId, size = GiB, name })));
        Assert.All(refused, r => Assert.True(r.Code == 8, r.Text));

        // No pause: a refusal is answered once its batch's names are given back, and none stays taken.
        await _admin.SetQuotaAsync(folderId, "compute.disks.count", names.Count);
        var made = await Task.WhenAll(names.Select(name => _admin.PostReplyAsync("/compute/v1/disks", new { folderId, size = GiB, name })));
        Assert.All(made, r => Assert.True(r.Status == HttpStatusCode.OK, r.Text));
    }

    [Fact]
    public async Task Concurrent_creates_across_shards_fill_a_quota_exactly_and_never_pass_it()
    {
        var folderId = await FolderAsync();
        await _admin.SetQuotaAsync(folderId, "compute.disks.count", 30);

        var replies = await Task.WhenAll(Enumerable.Range(0, 60).Select(_ => _admin.PostReplyAsync("/compute/v1/disks", new { folderId, size = GiB })));

        Assert.Equal(30, replies.Count(r => r.Status == HttpStatusCode.OK));
        Assert.All(replies.Where(r => r.Status != HttpStatusCode.OK), r => Assert.Equal(8, r.Code));
        var quotas = (await _admin.GetReplyAsync($"/compute/v1/folders/{folderId}/quotas")).Body!["quotas"]!.AsArray();
        Assert.Equal("30", quotas.Single(q => q!.Str("name") == "compute.disks.count")!.Str("usage"));
        Assert.Equal(30, (await AllAsync($"/compute/v1/disks?folderId={folderId}", "disks")).Count);
    }

    [Fact]
    public async Task Bulk_create_makes_all_in_one_operation_and_a_retry_makes_no_doubles()
    {
        var folderId = await FolderAsync(diskPools: 1);
        await _admin.SetQuotaAsync(folderId, "compute.instances.count", 100);
        await _admin.SetQuotaAsync(folderId, "compute.disks.count", 100);
        var image = await ImageAsync(folderId, pooled: true);
        await _admin.DoneAsync(HttpMethod.Post, "/compute/v1/instances",
            new { folderId, name = "vm-3", bootDiskSpec = new { diskSpec = new { size = GiB, imageId = image.Str("id") } } });
        var body = new { folderId, count = 40, namePrefix = "vm", bootDiskSpec = new { diskSpec = new { size = GiB, imageId = image.Str("id") } } };

        var first = await _admin.PostReplyAsync("/compute/v1/instances:bulkCreate", body, "bulk-1");
        var again = await _admin.PostReplyAsync("/compute/v1/instances:bulkCreate", body, "bulk-1");

        Assert.Equal(first.Body!.Str("id"), again.Body!.Str("id"));
        Assert.Equal("Create 40 instances", first.Body!.Str("description"));
        var result = (await _admin.WaitAsync(first.Body!))["response"]!;
        Assert.True(result["instances"]!.AsArray().Count == 39, result.ToJsonString());
        var failure = Assert.Single(result["failures"]!.AsArray())!;
        Assert.Equal("vm-3", failure.Str("name"));
        Assert.Equal(6, failure["error"]!["code"]!.GetValue<int>());
        var instances = await AllAsync($"/compute/v1/instances?folderId={folderId}", "instances");
        Assert.Equal(40, instances.Count);
        Assert.Equal("41", (await LayerAsync(image.Str("layerId"))).Str("referenceCount"));
        var one = await _admin.PostReplyAsync("/compute/v1/instances:bulkCreate", body with { count = 1, namePrefix = "one" });
        Assert.Equal("Create 1 instance", one.Body!.Str("description"));
    }

    [Fact]
    public async Task A_bulk_create_from_a_family_without_a_usable_image_is_refused_in_a_single_create_s_words()
    {
        // It said "has no READY, ACTIVE image" to everyone; a single create tells an admin what the family holds.
        var folderId = await FolderAsync();
        var image = await ImageAsync(folderId, family: "held");
        await _admin.DoneAsync(HttpMethod.Post, $"/compute/v1/images/{image.Str("id")}:deprecate", new { state = "DEPRECATED" });
        foreach (var family in new[] { "held", "ghost" })
        {
            var spec = new { size = GiB, family = new { folderId, name = family } };
            var single = await _admin.PostReplyAsync("/compute/v1/instances", new { folderId, bootDiskSpec = new { diskSpec = spec } });
            var bulk = await _admin.PostReplyAsync("/compute/v1/instances:bulkCreate", new { folderId, count = 3, namePrefix = "vm", bootDiskSpec = new { diskSpec = spec } });

            Assert.True(single.Status == HttpStatusCode.NotFound && single.Code == 5, single.Text);
            // The cohort bucket named is each new instance's own.
            static string? Words(string? message) => message is null ? null : System.Text.RegularExpressions.Regex.Replace(message, @"bucket \d+", "bucket N");
            Assert.Equal((single.Status, single.Code, Words(single.Message)), (bulk.Status, bulk.Code, Words(bulk.Message)));
        }
    }

    [Fact]
    public async Task Concurrent_bulk_creates_fill_an_instance_quota_exactly_and_never_pass_it()
    {
        var folderId = await FolderAsync();
        await _admin.SetQuotaAsync(folderId, "compute.instances.count", 40);
        await _admin.SetQuotaAsync(folderId, "compute.disks.count", 200);
        var image = await ImageAsync(folderId);

        var started = await Task.WhenAll(new[] { "a", "b", "c" }.Select(prefix => _admin.PostReplyAsync("/compute/v1/instances:bulkCreate",
            new { folderId, count = 30, namePrefix = prefix, bootDiskSpec = new { autoDelete = true, diskSpec = new { size = GiB, imageId = image.Str("id") } } })));
        var results = await Task.WhenAll(started.Select(r => _admin.WaitAsync(r.Body!)));

        var made = results.Sum(r => r["response"]!["instances"]!.AsArray().Count);
        Assert.True(made == 40, string.Join("\n", results.Select(r => r.ToJsonString())));
        Assert.All(results.SelectMany(r => r["response"]!["failures"]!.AsArray()), f => Assert.Equal(8, f!["error"]!["code"]!.GetValue<int>()));
        Assert.Equal(40, (await AllAsync($"/compute/v1/instances?folderId={folderId}", "instances")).Count);
        var quotas = (await _admin.GetReplyAsync($"/compute/v1/folders/{folderId}/quotas")).Body!["quotas"]!.AsArray();
        Assert.Equal("40", quotas.Single(q => q!.Str("name") == "compute.instances.count")!.Str("usage"));
    }

    [Fact]
    public async Task A_keyed_disk_create_happens_once()
    {
        var folderId = await FolderAsync();
        var body = new { folderId, size = GiB, name = "once" };

        var first = await _admin.PostReplyAsync("/compute/v1/disks", body, "disk-key");
        var again = await _admin.PostReplyAsync("/compute/v1/disks", body, "disk-key");
        var other = await _admin.PostReplyAsync("/compute/v1/disks", new { folderId, size = 2 * GiB, name = "twice" }, "disk-key");

        Assert.Equal(first.Body!.Str("id"), again.Body!.Str("id"));
        Assert.True(other.Status == HttpStatusCode.Conflict && other.Code == 10, other.Text);
        Assert.Single(await AllAsync($"/compute/v1/disks?folderId={folderId}", "disks"));
        var operation = await _admin.GetReplyAsync($"/operations/{first.Body!.Str("id")}");
        Assert.Equal("once", operation.Body!["response"]!.Str("name"));
    }

    private Task<List<JsonNode>> AllAsync(string path, string plural) => _admin.AllAsync(path, plural, pageSize: 7);
}
