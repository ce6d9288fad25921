using Stratum.Folders;
using Stratum.Tests.Infrastructure;

namespace Stratum.Tests.Cluster;

/// <summary>
/// A grain reference is made once per factory, key and interface, and is the reference Orleans
/// would make; the cache starts over past its bound instead of growing.
/// </summary>
[Collection(GatewayCollection.Name)]
public sealed class GrainReferenceCacheTests(GatewayFixture fixture)
{
    [Fact]
    public void The_same_key_and_interface_is_one_reference_equal_to_the_one_orleans_makes()
    {
        var silo = fixture.Stratum.SiloGrains;
        var folderId = ResourceIds.New(ResourceIds.Folder);

        var first = silo.Cached<IFolderGrain>(folderId);

        Assert.Same(first, silo.Cached<IFolderGrain>(folderId));
        Assert.Equal(silo.GetGrain<IFolderGrain>(folderId), first);
        Assert.NotSame(first, silo.Cached<IFolderGrain>(ResourceIds.New(ResourceIds.Folder)));
        Assert.IsAssignableFrom<IFolderInternalGrain>(silo.Cached<IFolderInternalGrain>(folderId));
        Assert.Same(silo.Cached<IComputeGrain>(0), silo.Cached<IComputeGrain>(0));
        // Each factory has its own: a reference is bound to the runtime that made it.
        Assert.NotSame(first, fixture.Stratum.Client.Cached<IFolderGrain>(folderId));
    }

    [Fact]
    public void Past_its_bound_the_cache_starts_over()
    {
        var silo = fixture.Stratum.SiloGrains;
        var prefix = ResourceIds.New(ResourceIds.Folder);
        var first = silo.Cached<IFolderGrain>(prefix);

        for (var i = 0; i < GrainReferenceCache.MaxKeys; i++)
        {
            silo.Cached<IFolderGrain>($"{prefix}-{i}");
        }

        Assert.NotSame(first, silo.Cached<IFolderGrain>(prefix));
    }
}
