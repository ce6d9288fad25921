namespace Stratum.Storage;

/// <summary>
/// Keeps one state write in flight; changes made meanwhile ride the next write, and their callers
/// wait for it. For grains whose methods interleave: every write of the grain must go through it,
/// so two writes never race on the state's ETag.
/// </summary>
public sealed class CoalescedWriter(Func<Task> write)
{
    private Task _writing = Task.CompletedTask;
    private TaskCompletionSource? _next;

    public Task WriteAsync()
    {
        if (_next is { } queued)
        {
            return queued.Task;
        }
        var next = _next = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _writing = WriteAfterAsync(_writing, next);
        return next.Task;
    }

    private async Task WriteAfterAsync(Task previous, TaskCompletionSource next)
    {
        try
        {
            await previous;
        }
        catch (Exception)
        {
            // That write's callers saw its failure; this write carries the whole state again.
        }
        _next = null;
        try
        {
            await write();
            next.SetResult();
        }
        catch (Exception e)
        {
            next.SetException(e);
        }
    }
}
