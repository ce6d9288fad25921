namespace Stratum.Tests.Infrastructure;

/// <summary>Waits that poll a condition with a deadline, never a fixed sleep.</summary>
public static class Wait
{
    public static async Task UntilAsync(Func<Task<bool>> condition, int seconds = 15, string? what = null, int pollMilliseconds = 50)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"{what ?? "The condition"} did not hold within {seconds} s.");
            await Task.Delay(pollMilliseconds);
        }
    }

    public static Task UntilAsync(Func<bool> condition, int seconds = 15, string? what = null, int pollMilliseconds = 50) =>
        UntilAsync(() => Task.FromResult(condition()), seconds, what, pollMilliseconds);

    /// <summary>
    /// Reads until the value read satisfies <paramref name="done"/> and returns it; after the deadline
    /// fails with the last value read (as <paramref name="describe"/> tells it).
    /// </summary>
    public static async Task<T> ForAsync<T>(Func<Task<T>> read, Func<T, bool> done, int seconds = 15, Func<T, string>? describe = null, int pollMilliseconds = 50)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (true)
        {
            var value = await read();
            if (done(value))
            {
                return value;
            }
            Assert.True(DateTime.UtcNow < deadline, $"Not done within {seconds} s; last: {(describe is null ? value?.ToString() : describe(value))}");
            await Task.Delay(pollMilliseconds);
        }
    }
}
