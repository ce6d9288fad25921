using Stratum.Seed;

namespace Stratum.Tests.Unit;

/// <summary>Seeding is tried again when storage failed a write (Unavailable), not when the request was wrong.</summary>
public sealed class SeedRetriesTests
{
    [Fact]
    public async Task A_write_storage_failed_is_tried_again()
    {
        var attempts = 0;
        var log = new StringWriter();

        await SeedRetries.Pipeline(attempts: 3, delay: TimeSpan.Zero, log).ExecuteAsync(_ =>
            ++attempts == 1 ? throw new StratumException(ErrorCode.Unavailable, "The change could not be stored") : ValueTask.CompletedTask);

        Assert.Equal(2, attempts);
        Assert.Contains("trying again in 0 s (attempt 2 of 3)", log.ToString());
    }

    [Fact]
    public async Task A_refusal_is_not_tried_again()
    {
        var attempts = 0;

        await Assert.ThrowsAsync<StratumException>(async () => await SeedRetries.Pipeline(attempts: 3, delay: TimeSpan.Zero, TextWriter.Null).ExecuteAsync(_ =>
        {
            attempts++;
            throw StratumException.Invalid("name is invalid");
        }));

        Assert.Equal(1, attempts);
    }
}
