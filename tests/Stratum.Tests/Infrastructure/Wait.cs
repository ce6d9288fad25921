namespace Stratum.Tests.Infrastructure;

/// <summary>Waits that poll a condition with a deadline, never a fixed sleep.</summary>
public static class Wait
{
    public static async Task UntilAsync(Func<Task<bool>> condition, int seconds = 15, string? what = null)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"{what ?? "The condition"} did not hold within {seconds} s.");
            await Task.Delay(50);
        }
    }
}
