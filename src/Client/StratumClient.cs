using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using Stratum.Changes;

namespace Stratum.Client;

/// <summary>
/// Stratum for a .NET service: its grains without their keys, who the service (or the user it acts
/// for) is, "latest in family" from a cache kept fresh by the change feed, and waiting on operations.
/// Registered by <see cref="StratumClientExtensions.AddStratumClient"/>.
/// </summary>
public sealed class StratumClient
{
    private readonly IClusterClient _cluster;
    private readonly LatestCache _cache;
    private readonly WriteTracker _writes;
    private readonly StratumClientOptions _options;
    private readonly ConcurrentDictionary<string, Task<Caller>> _identities = new(StringComparer.Ordinal);

    /// <summary>A client over a connected Orleans client.</summary>
    public StratumClient(IClusterClient cluster, LatestCache cache, WriteTracker writes, IOptions<StratumClientOptions> options)
    {
        _cluster = cluster;
        _cache = cache;
        _writes = writes;
        _options = options.Value;
    }

    /// <summary>The Orleans client underneath, for what this type does not wrap.</summary>
    public IClusterClient Cluster => _cluster;

    /// <summary>Image creation, the images and families of a folder, latest in family, family watches.</summary>
    public IImageCatalogGrain Images => _cluster.Cached<IImageCatalogGrain>(0);

    /// <summary>One image: read, update, deprecate, delete, its access bindings.</summary>
    public IImageGrain Image(string imageId) => _cluster.Cached<IImageGrain>(imageId);

    /// <summary>Folder creation and the folders the caller can see.</summary>
    public IFolderDirectoryGrain Folders => _cluster.Cached<IFolderDirectoryGrain>(0);

    /// <summary>One folder: its access bindings and quotas.</summary>
    public IFolderGrain Folder(string folderId) => _cluster.Cached<IFolderGrain>(folderId);

    /// <summary>Disks, snapshots, instances and base layers.</summary>
    public IComputeGrain Compute => _cluster.Cached<IComputeGrain>(0);

    /// <summary>One operation, as every mutation returns.</summary>
    public IOperationGrain Operation(string operationId) => _cluster.GetGrain<IOperationGrain>(operationId);

    /// <summary>
    /// Acts with a forwarded token (a user's, as this service received it): every call made in this
    /// asynchronous flow carries it until the scope is disposed. Call it where the calls are made
    /// (not inside a helper that returns before them), e.g. <c>using (StratumClient.ActAs(token)) { … }</c>.
    /// </summary>
    public static IDisposable ActAs(string token) => BearerToken.Use(token);

    /// <summary>
    /// The caller that the token in force (a forwarded one, else the client's own) names, as a silo
    /// verified it: the <see cref="Caller"/> to pass to the grains. Asked once per token.
    /// </summary>
    public Task<Caller> WhoAmIAsync()
    {
        var token = BearerToken.Current ?? _options.Token
            ?? throw new StratumException(ErrorCode.Unauthenticated, "No bearer token: set StratumClientOptions.Token (Stratum:Client:Token) or act with a forwarded one (StratumClient.ActAs).");
        if (_identities.TryGetValue(token, out var known) && !known.IsFaulted && !known.IsCanceled)
        {
            return known;
        }
        if (_identities.Count >= 10_000)
        {
            _identities.Clear();
        }
        var asking = _cluster.GetGrain<IIdentityGrain>(0).WhoAmIAsync();
        _identities[token] = asking;
        return asking;
    }

    /// <summary>
    /// The newest READY, ACTIVE image of a family that the current caller may read (404 if none),
    /// answered from this client's cache while the change feed keeps it fresh, and from the grains
    /// for a caller who just changed an image through this client.
    /// </summary>
    public async Task<Image> GetLatestByFamilyAsync(string folderId, string family)
    {
        var caller = await WhoAmIAsync();
        return await _cache.GetLatestAsync(caller, folderId, family, _writes.WroteRecently(caller.Subject),
            () => Images.GetLatestByFamilyAsync(caller, folderId, family));
    }

    /// <summary>
    /// Polls an operation as the current caller until it is done (or <paramref name="timeout"/>,
    /// 5 minutes by default, passes) and returns it finished: look at its Error or Response.
    /// </summary>
    public async Task<Operation> WaitAsync(Operation operation, TimeSpan? timeout = null, CancellationToken cancellation = default)
    {
        var caller = await WhoAmIAsync();
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        deadline.CancelAfter(timeout ?? TimeSpan.FromMinutes(5));
        var pause = TimeSpan.FromMilliseconds(50);
        while (!operation.Done)
        {
            try
            {
                await Task.Delay(pause, deadline.Token);
            }
            catch (OperationCanceledException) when (!cancellation.IsCancellationRequested)
            {
                throw new TimeoutException($"Operation {operation.Id} was not done within {timeout ?? TimeSpan.FromMinutes(5)}.");
            }
            pause = TimeSpan.FromMilliseconds(Math.Min(1000, pause.TotalMilliseconds * 2));
            operation = await Operation(operation.Id).GetAsync(caller);
        }
        return operation;
    }
}
