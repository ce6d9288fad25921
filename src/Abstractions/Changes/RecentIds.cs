namespace Stratum.Changes;

/// <summary>
/// The ids of the last <c>capacity</c> events seen, so an event a queue delivers again is dropped.
/// Redeliveries come soon after the first delivery, so a bounded window is enough.
/// </summary>
public sealed class RecentIds(int capacity = 8192)
{
    private readonly HashSet<string> _ids = [];
    private readonly Queue<string> _order = new();
    private readonly Lock _lock = new();

    /// <summary>True the first time an id is seen; false for a duplicate.</summary>
    public bool Add(string id)
    {
        lock (_lock)
        {
            if (!_ids.Add(id))
            {
                return false;
            }
            _order.Enqueue(id);
            if (_order.Count > capacity)
            {
                _ids.Remove(_order.Dequeue());
            }
            return true;
        }
    }
}
