using Stratum.Gateway.Http;

namespace Stratum.Tests.Gateway;

/// <summary>Which Content-Types a JSON body may be sent with: JSON types, in UTF-8 however the charset is spelled.</summary>
public sealed class JsonBodyTests
{
    [Theory]
    [InlineData(null)]
    [InlineData("application/json")]
    [InlineData("APPLICATION/JSON")]
    [InlineData("application/merge-patch+json")]
    [InlineData("application/json; charset=utf-8")]
    [InlineData("application/json; Charset=UTF-8")]
    [InlineData("application/json; charset=utf8")]
    [InlineData("application/json; charset=\"UTF-8\"")]   // a quoted value is the same value (RFC 9110 §5.6.6)
    [InlineData("application/json;charset=\"utf-8\"")]
    [InlineData("application/json; charset=utf-8; charset=utf-8")]
    public void A_JSON_type_in_UTF_8_is_accepted(string? contentType) => Assert.True(JsonBody.Accepts(contentType));

    [Theory]
    [InlineData("text/plain")]
    [InlineData("application/x-www-form-urlencoded")]
    [InlineData("application/json; charset=utf-16")]
    [InlineData("application/json; charset=\"latin1\"")]
    [InlineData("application/json; charset=")]
    [InlineData("application/json; charset")]
    [InlineData("application/json; charset=utf-8; charset=utf-16")]   // the first had won, and the second been ignored
    [InlineData("application/json; charset=utf-16; charset=utf-8")]
    public void Another_type_or_charset_is_refused(string contentType) => Assert.False(JsonBody.Accepts(contentType));
}
