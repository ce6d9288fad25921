using System.Net;
using Stratum.Tests.Infrastructure;

namespace Stratum.Tests.Gateway;

/// <summary>
/// A query parameter a path does not take is refused naming the ones it does (as a body's unknown
/// field is), names matched exactly; nothing is changed or served from a cache on the way.
/// </summary>
[Collection(GatewayCollection.Name)]
public sealed class QueryParameterTests(GatewayFixture fixture)
{
    private readonly HttpClient _admin = fixture.Stratum.Http();

    [Fact]
    public async Task A_query_parameter_the_path_does_not_take_is_400_naming_those_it_does()
    {
        var folderId = await _admin.CreateFolderAsync();
        var image = (await _admin.DoneAsync(HttpMethod.Post, "/compute/v1/images",
            new { folderId, family = "web", uri = fixture.Files.Add(Names.Unique("q"), DiskImages.Raw(4096)) })).Str("id");
        var latest = $"/compute/v1/images:latestByFamily?folderId={folderId}&family=web";
        // Cached in the gateway now: the shortcut must not answer a request the endpoint refuses.
        Assert.Equal(image, (await _admin.GetReplyAsync(latest)).Body!.Str("id"));

        var misspelt = await _admin.GetReplyAsync($"/compute/v1/images?folderId={folderId}&pagesize=1");
        var none = await _admin.GetReplyAsync($"/compute/v1/images/{image}?view=FULL");
        var extra = await _admin.GetReplyAsync(latest + "&cohort=eu");

        Assert.True(misspelt.Status == HttpStatusCode.BadRequest && misspelt.Code == 3, misspelt.Text);
        Assert.Equal("Query parameter 'pagesize' is not known here; this path takes folderId, pageSize, pageToken, filter, orderBy, view.", misspelt.Message);
        Assert.True(none.Status == HttpStatusCode.BadRequest && none.Message == "Query parameter 'view' is not known here; this path takes none.", none.Text);
        Assert.True(extra.Status == HttpStatusCode.BadRequest && extra.Message!.Contains("'cohort'") && extra.Message.Contains("cohortKey"), extra.Text);
        Assert.Equal(HttpStatusCode.OK, (await _admin.GetReplyAsync($"/compute/v1/images?folderId={folderId}&pageSize=1")).Status);
        Assert.Equal(image, (await _admin.GetReplyAsync(latest + "&cohortKey=eu")).Body!.Str("id"));
    }

    [Theory]
    [InlineData("cohortKey=%FF", "cohortKey", 1)]
    [InlineData("cohortKey=eu%ED%A0%80", "cohortKey", 3)]
    [InlineData("cohortKey=a%F0%9F%98", "cohortKey", 2)]
    [InlineData("cohortKey=%C3", "cohortKey", 1)]
    [InlineData("cohort%FFKey=eu", "cohort%FFKey", 7)]
    public async Task A_parameter_that_is_not_UTF_8_once_percent_decoded_is_400_naming_the_byte(string parameter, string named, int atByte)
    {
        var folderId = await _admin.CreateFolderAsync();
        await _admin.DoneAsync(HttpMethod.Post, "/compute/v1/images", new { folderId, family = "web", uri = fixture.Files.Add(Names.Unique("u"), DiskImages.Raw(4096)) });
        var latest = $"/compute/v1/images:latestByFamily?folderId={folderId}&family=web";
        // Cached in the gateway now; the bad bytes had been read as U+FFFD, so "%FF" and "%FE" were one cohort.
        Assert.Equal(HttpStatusCode.OK, (await _admin.GetReplyAsync(latest + "&cohortKey=%EF%BF%BD")).Status);

        var refused = await _admin.GetReplyAsync($"{latest}&{parameter}");

        Assert.True(refused.Status == HttpStatusCode.BadRequest && refused.Code == 3, refused.Text);
        Assert.Equal($"Query parameter '{named}' is not valid UTF-8 once percent-decoded: byte {atByte} does not begin or continue a UTF-8 character; percent-encode text as UTF-8.",
            refused.Message);
    }

    [Fact]
    public async Task A_value_without_a_name_is_refused_and_an_empty_pair_is_nothing()
    {
        var folderId = await _admin.CreateFolderAsync();

        var nameless = await _admin.GetReplyAsync($"/compute/v1/images?folderId={folderId}&=eu");
        var empty = await _admin.GetReplyAsync($"/compute/v1/images?folderId={folderId}&&pageSize=1");

        Assert.True(nameless.Status == HttpStatusCode.BadRequest && nameless.Code == 3, nameless.Text);
        Assert.StartsWith("A query parameter has no name ('=eu'); this path takes folderId,", nameless.Message, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, empty.Status);
    }

    [Fact]
    public async Task The_query_is_read_after_the_caller_and_names_are_exact()
    {
        var folderId = await _admin.CreateFolderAsync();

        var anonymous = await fixture.Stratum.Http(null).GetReplyAsync($"/compute/v1/images?folderId={folderId}&x=1");
        var caseVariant = await _admin.GetReplyAsync($"/compute/v1/images?folderId={folderId}&FolderId={folderId}");
        var repeatedAnonymous = await fixture.Stratum.Http(null).GetReplyAsync($"/compute/v1/images?folderId={folderId}&folderId={folderId}");

        Assert.True(anonymous.Status == HttpStatusCode.Unauthorized && anonymous.Code == 16, anonymous.Text);
        Assert.True(repeatedAnonymous.Status == HttpStatusCode.Unauthorized, repeatedAnonymous.Text);
        Assert.True(caseVariant.Status == HttpStatusCode.BadRequest && caseVariant.Message!.StartsWith("Query parameter 'FolderId' is not known here", StringComparison.Ordinal), caseVariant.Text);
    }

    [Fact]
    public async Task A_mutation_with_a_query_parameter_it_does_not_take_is_refused_and_changes_nothing()
    {
        var folderId = await _admin.CreateFolderAsync();

        var reply = await _admin.PostReplyAsync($"/compute/v1/disks?validateOnly=true", new { folderId, size = 1L << 30 });

        Assert.True(reply.Status == HttpStatusCode.BadRequest && reply.Code == 3, reply.Text);
        Assert.Equal("Query parameter 'validateOnly' is not known here; this path takes none.", reply.Message);
        Assert.Empty((await _admin.GetReplyAsync($"/compute/v1/disks?folderId={folderId}")).Body!["disks"]!.AsArray());
    }
}
