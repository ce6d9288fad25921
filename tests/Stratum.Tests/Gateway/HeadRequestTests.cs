using System.Net;
using Stratum.Tests.Infrastructure;

namespace Stratum.Tests.Gateway;

/// <summary>
/// HEAD answers as GET does, without content (RFC 9110 §9.3.2): the same status and headers on
/// every path that serves GET, through the latestByFamily shortcut too; a 405's Allow names HEAD
/// wherever it names GET.
/// </summary>
[Collection(GatewayCollection.Name)]
public sealed class HeadRequestTests(GatewayFixture fixture)
{
    private readonly HttpClient _admin = fixture.Stratum.Http();

    [Fact]
    public async Task HEAD_answers_with_GET_s_status_and_headers_and_no_content()
    {
        var folderId = await _admin.CreateFolderAsync();
        var image = (await _admin.DoneAsync(HttpMethod.Post, "/compute/v1/images",
            new { folderId, family = "web", uri = fixture.Files.Add(Names.Unique("h"), DiskImages.Raw(4096)) })).Str("id");
        string[] paths =
        [
            $"/compute/v1/images/{image}",
            $"/compute/v1/images?folderId={folderId}",
            $"/compute/v1/images:latestByFamily?folderId={folderId}&family=web",
            $"/compute/v1/images/{image}:listAccessBindings",
            "/compute/v1/images/imgaaaaaaaaaaaaaaaaa",
            "/healthz",
        ];

        foreach (var path in paths)
        {
            using var get = await _admin.SendAsync(new HttpRequestMessage(HttpMethod.Get, path));
            var content = await get.Content.ReadAsByteArrayAsync();
            using var head = await _admin.SendAsync(new HttpRequestMessage(HttpMethod.Head, path));
            var headContent = await head.Content.ReadAsByteArrayAsync();

            Assert.True(get.StatusCode == head.StatusCode, $"{path}: GET {get.StatusCode}, HEAD {head.StatusCode}");
            Assert.NotEmpty(content);
            Assert.Empty(headContent);
            Assert.Equal(get.Content.Headers.ContentType, head.Content.Headers.ContentType);
            Assert.Equal(get.Headers.CacheControl, head.Headers.CacheControl);
        }
    }

    [Fact]
    public async Task HEAD_on_an_event_stream_answers_its_headers_and_ends()
    {
        var folderId = await _admin.CreateFolderAsync();
        await _admin.DoneAsync(HttpMethod.Post, "/compute/v1/images",
            new { folderId, family = "web", uri = fixture.Files.Add(Names.Unique("w"), DiskImages.Raw(4096)) });
        // A HEAD that streamed on would never end: the deadline fails the test instead of hanging it.
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));

        using var head = await _admin.SendAsync(new HttpRequestMessage(HttpMethod.Head, $"/compute/v1/images:watchFamily?folderId={folderId}&family=web"), deadline.Token);
        using var missing = await _admin.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/compute/v1/images:watchFamily?folderId=fldaaaaaaaaaaaaaaaaa&family=web"), deadline.Token);

        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Equal("text/event-stream", head.Content.Headers.ContentType?.MediaType);
        Assert.Empty(await head.Content.ReadAsByteArrayAsync(deadline.Token));
        // A folder the caller cannot read is refused before any stream starts, alike for both.
        var get = await _admin.GetReplyAsync("/compute/v1/images:watchFamily?folderId=fldaaaaaaaaaaaaaaaaa&family=web");
        Assert.True(get.Status == missing.StatusCode && get.Status == HttpStatusCode.NotFound, $"GET {get.Status}, HEAD {missing.StatusCode}");
    }

    [Theory]
    [InlineData("/compute/v1/images/imgaaaaaaaaaaaaaaaaa", "DELETE, GET, HEAD, PATCH")]
    [InlineData("/resource-manager/v1/folders/fldaaaaaaaaaaaaaaaaa", "DELETE, GET, HEAD, PATCH")]
    [InlineData("/operations/opraaaaaaaaaaaaaaaaa", "GET, HEAD")]
    [InlineData("/healthz", "GET, HEAD")]
    [InlineData("/docs/", "GET, HEAD")]
    [InlineData("/openapi/v1.json", "GET, HEAD")]
    [InlineData("/docs/index.html", "GET, HEAD")]
    public async Task POST_where_a_custom_method_of_the_same_shape_takes_POST_is_still_405_with_the_methods_served(string path, string allow)
    {
        using var response = await _admin.SendAsync(new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent("{}", System.Text.Encoding.UTF8, "application/json") });
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        Assert.Equal(allow.Split(", "), response.Content.Headers.Allow.Order());
        // The message names what Allow names.
        Assert.Contains($"this path takes {allow}.", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_405_s_Allow_names_HEAD_wherever_it_names_GET()
    {
        using var image = await _admin.SendAsync(new HttpRequestMessage(HttpMethod.Put, "/compute/v1/images/imgaaaaaaaaaaaaaaaaa"));
        using var bindings = await _admin.SendAsync(new HttpRequestMessage(HttpMethod.Delete, "/compute/v1/images/imgaaaaaaaaaaaaaaaaa:listAccessBindings"));
        using var deprecate = await _admin.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/compute/v1/images/imgaaaaaaaaaaaaaaaaa:deprecate"));

        Assert.Equal(HttpStatusCode.MethodNotAllowed, image.StatusCode);
        Assert.Equal(["DELETE", "GET", "HEAD", "PATCH"], image.Content.Headers.Allow.Order());
        Assert.Equal(["GET", "HEAD"], bindings.Content.Headers.Allow.Order());
        Assert.Equal(["POST"], deprecate.Content.Headers.Allow);
    }
}
