using Stratum.Cli.Infrastructure;

namespace Stratum.Tests.Cli;

public sealed class SizesTests
{
    [Theory]
    [InlineData("512M", 512L << 20)]
    [InlineData("10G", 10L << 30)]
    [InlineData("1T", 1L << 40)]
    [InlineData("1.5G", 3L << 29)]
    [InlineData("64KiB", 64L << 10)]
    [InlineData("2gb", 2L << 30)]
    [InlineData("4096", 4096L)]
    public void Sizes_take_binary_units_or_bytes(string text, long bytes) => Assert.Equal(bytes, Sizes.Parse(text, "--size"));

    [Theory]
    [InlineData("10X")]
    [InlineData("-5G")]
    [InlineData("0.1K")]
    [InlineData("G")]
    [InlineData("")]
    [InlineData("0")]
    [InlineData("99999999T")]
    public void Anything_else_is_a_usage_error_naming_the_option(string text)
    {
        var error = Assert.Throws<UsageException>(() => Sizes.Parse(text, "--size"));
        Assert.Contains("--size", error.Message);
    }

    [Theory]
    [InlineData("10X", "is not a size")]
    [InlineData("0", "a size of zero bytes is none")]
    [InlineData("0G", "a size of zero bytes is none")]
    [InlineData("0.1K", "is not a whole number of bytes")]
    [InlineData("9223372036854775807", "is too large")]
    [InlineData("17179869184T", "is too large")]
    public void The_usage_error_says_what_is_wrong_with_the_size(string text, string told)
    {
        // Zero had been "not a size", and a size too large "not a whole number of bytes".
        var error = Assert.Throws<UsageException>(() => Sizes.Parse(text, "--size"));
        Assert.Contains(told, error.Message);
    }
}
