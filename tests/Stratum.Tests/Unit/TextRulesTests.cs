using Stratum.Validation;

namespace Stratum.Tests.Unit;

/// <summary>Which characters free text (descriptions) and subject ids may hold.</summary>
public sealed class TextRulesTests
{
    [Theory]
    [InlineData("two\nlines\r\nand\ta tab")]
    [InlineData("café, 日本語, emoji 🙂, right-to-left ‮")]
    public void A_description_keeps_tabs_line_breaks_and_any_printable_text(string description) =>
        Rules.Description(description);

    [Theory]
    [InlineData("\0", "U+0000")]
    [InlineData("bell\a", "U+0007")]
    [InlineData("del\u007f", "U+007F")]
    [InlineData("c1\u0085", "U+0085")]
    public void A_description_with_another_control_character_is_refused(string description, string named)
    {
        var refusal = Assert.Throws<StratumException>(() => Rules.Description(description));
        Assert.Equal(ErrorCode.InvalidArgument, refusal.Code);
        Assert.Contains(named, refusal.Message);
    }

    [Fact]
    public void A_subject_id_refuses_line_breaks_too()
    {
        var refusal = Assert.Throws<StratumException>(() => Rules.NoControlCharacters("bob\nalice", "subject.id", allowLineBreaks: false));
        Assert.Equal("subject.id holds the control character U+000A; none is allowed.", refusal.Message);
    }
}
