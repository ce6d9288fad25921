using Stratum.Validation;

namespace Stratum.Tests.Validation;

/// <summary>
/// Lengths in the contract are in characters (code points), as the provider's API counts them: a
/// description of 200 emoji is 200 characters, though .NET's string holds 400 UTF-16 units.
/// </summary>
public sealed class CharacterCountTests
{
    private const string Emoji = "\U0001F600";

    [Fact]
    public void A_description_of_256_emoji_is_256_characters_and_allowed()
    {
        Rules.Description(string.Concat(Enumerable.Repeat(Emoji, 256)));

        var refused = Assert.Throws<StratumException>(() => Rules.Description(string.Concat(Enumerable.Repeat(Emoji, 257))));
        Assert.Equal(ErrorCode.InvalidArgument, refused.Code);
        Assert.Contains("description is 257 characters long; at most 256 are allowed.", refused.Message);
    }

    [Fact]
    public void A_cohort_key_is_limited_in_characters_too()
    {
        Assert.InRange(Cohorts.Bucket("fldaaaaaaaaaaaaaaaaa", "web", Caller.User("alice"), string.Concat(Enumerable.Repeat(Emoji, 256))), 0, 99);

        var refused = Assert.Throws<StratumException>(() =>
            Cohorts.Bucket("fldaaaaaaaaaaaaaaaaa", "web", Caller.User("alice"), string.Concat(Enumerable.Repeat(Emoji, 257))));
        Assert.Contains("cohortKey is 257 characters long", refused.Message);
    }

    [Fact]
    public void An_echoed_value_is_not_cut_inside_a_surrogate_pair()
    {
        var echoed = EchoedText.Shorten("a" + string.Concat(Enumerable.Repeat(Emoji, 100)), max: 80);

        Assert.Equal("a" + string.Concat(Enumerable.Repeat(Emoji, 39)) + "…", echoed);
    }
}
