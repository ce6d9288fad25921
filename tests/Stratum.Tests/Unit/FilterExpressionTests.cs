using Stratum.Index;

namespace Stratum.Tests.Unit;

public sealed class FilterExpressionTests
{
    private static readonly IReadOnlyList<FilterExpression.Field> Fields = [new("name", "Name"), new("status", "Status"), new("pooled", "Pooled", true)];

    [Theory]
    [InlineData("name = 'a'", "(Name eq 'a')")]
    [InlineData("name != \"a b\"", "(Name ne 'a b')")]
    [InlineData("status IN (READY, 'ERROR')", "(Status eq 'READY' or Status eq 'ERROR')")]
    [InlineData("status NOT IN (READY)", "(Status ne 'READY')")]
    [InlineData("name = 'x' AND pooled = true", "(Name eq 'x') and (Pooled eq true)")]
    public void Translates_the_contract_syntax_to_OData(string filter, string expected) =>
        Assert.Equal(expected, FilterExpression.ToOData(filter, Fields));

    [Fact]
    public void Two_quoted_strings_back_to_back_are_not_one_value_with_a_quote_in_it() =>
        Assert.Equal(ErrorCode.InvalidArgument, Assert.Throws<StratumException>(() => FilterExpression.ToOData("name = 'it''s'", Fields)).Code);

    [Fact]
    public void Quotes_inside_values_are_escaped_so_they_cannot_change_the_query() =>
        Assert.Equal("(Name eq 'a'' or Name ne ''')", FilterExpression.ToOData("name = \"a' or Name ne '\"", Fields));

    [Theory]
    [InlineData("owner = 'x'", "unknown field 'owner'")]
    [InlineData("name ~ 'x'", "unknown operator")]
    [InlineData("name = 'x' OR status = READY", "expected AND")]
    [InlineData("name =", "expected a value")]
    [InlineData("pooled = yes", "true or false")]
    [InlineData("name = 'x", "not closed")]
    public void Refuses_what_it_cannot_read_with_a_reason(string filter, string reason)
    {
        var error = Assert.Throws<StratumException>(() => FilterExpression.ToOData(filter, Fields));
        Assert.Equal(ErrorCode.InvalidArgument, error.Code);
        Assert.Contains(reason, error.Message);
    }

    [Fact]
    public void An_enum_field_takes_its_values_and_refuses_others_naming_them()
    {
        // status = 'NOPE' answered an empty list, as if no image had that status (a fresh-user trial).
        IReadOnlyList<FilterExpression.Field> fields = [FilterExpression.Field.Of<ImageStatus>("status", "Status")];

        Assert.Equal("(Status eq 'READY' or Status eq 'DELETED')", FilterExpression.ToOData("status IN ('READY', DELETED)", fields));
        var error = Assert.Throws<StratumException>(() => FilterExpression.ToOData("status = 'NOPE'", fields));
        Assert.Equal("filter is invalid: status is one of CREATING, READY, ERROR, DELETING, DELETED, not 'NOPE'.", error.Message);
    }
}
