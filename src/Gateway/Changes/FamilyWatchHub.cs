using System.Threading.Channels;
using Stratum.Changes;

namespace Stratum.Gateway.Changes;

/// <summary>
/// The open family watches of this gateway. An event only says "look again": each watch wakes
/// when something in its folder changed, and asks the grains what changed for its caller.
/// </summary>
public sealed class FamilyWatchHub
{
    private readonly Lock _lock = new();
    private readonly List<Watch> _watches = [];

    /// <summary>A wake-up signal for one folder; dispose it when the watch ends.</summary>
    public Watch Open(string folderId)
    {
        var watch = new Watch(this, folderId);
        lock (_lock)
        {
            _watches.Add(watch);
        }
        return watch;
    }

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _watches.Count;
            }
        }
    }

    public void Notify(ChangeEvent change)
    {
        lock (_lock)
        {
            foreach (var watch in _watches)
            {
                if (watch.FolderId == change.FolderId)
                {
                    watch.Wake();
                }
            }
        }
    }

    private void Close(Watch watch)
    {
        lock (_lock)
        {
            _watches.Remove(watch);
        }
    }

    public sealed class Watch(FamilyWatchHub hub, string folderId) : IDisposable
    {
        // One pending signal is enough: the watch re-reads everything after its last revision.
        private readonly Channel<bool> _signal = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

        public string FolderId { get; } = folderId;

        internal void Wake() => _signal.Writer.TryWrite(true);

        /// <summary>True when woken, false when <paramref name="timeout"/> passed first.</summary>
        public async Task<bool> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken)
        {
            using var timer = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timer.CancelAfter(timeout);
            try
            {
                return await _signal.Reader.ReadAsync(timer.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                return false;
            }
        }

        public void Dispose() => hub.Close(this);
    }
}
