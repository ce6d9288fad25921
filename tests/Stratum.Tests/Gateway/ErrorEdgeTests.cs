using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Stratum.Tests.Infrastructure;

namespace Stratum.Tests.Gateway;

/// <summary>
/// The rough edges a newcomer meets first: a body sent the way curl sends it by default, a custom
/// method that does not exist or is called with the wrong HTTP method, paths and methods nothing
/// serves, and latestByFamily's 404s (told apart for those who may read the folder, and only for them).
/// </summary>
[Collection(GatewayCollection.Name)]
public sealed class ErrorEdgeTests(GatewayFixture fixture)
{
    private readonly HttpClient _admin = fixture.Stratum.Http();
    private readonly HttpClient _bob = fixture.Stratum.Http("dev-bob");

    private async Task<Api.Reply> SendRawAsync(HttpClient http, HttpMethod method, string path, string? body, string? contentType)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
            request.Content.Headers.ContentType = contentType is null ? null : MediaTypeHeaderValue.Parse(contentType);
        }
        using var response = await http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        return new Api.Reply(response.StatusCode, JsonNode.Parse(text));
    }

    private static void AssertContractError(Api.Reply reply, HttpStatusCode status, int code)
    {
        Assert.True(reply.Status == status && reply.Code == code, $"{reply.Status} {reply.Text}");
        Assert.Equal(new[] { "code", "message", "details" }, reply.Body!.AsObject().Select(p => p.Key));
        Assert.False(string.IsNullOrWhiteSpace(reply.Message));
        Assert.Empty(reply.Body!["details"]!.AsArray());
    }

    [Theory]
    [InlineData("application/x-www-form-urlencoded")]   // curl -d without -H
    [InlineData("text/plain")]
    [InlineData("multipart/form-data; boundary=x")]
    [InlineData("application/json; charset=utf-16")]   // read as UTF-8, it would be read as something else
    [InlineData("application/json; charset=utf-8; charset=utf-16")]   // which one was meant?
    public async Task A_body_that_is_not_JSON_is_415_in_the_contracts_shape_and_changes_nothing(string contentType)
    {
        var folderId = await _admin.CreateFolderAsync();
        var image = (await _admin.DoneAsync(HttpMethod.Post, "/compute/v1/images", new { folderId, uri = fixture.Files.Add(Names.Unique("f"), DiskImages.Raw(4096)) })).Str("id");
        var quotas = (await _admin.GetReplyAsync($"/compute/v1/folders/{folderId}/quotas")).Text;

        var create = await SendRawAsync(_admin, HttpMethod.Post, "/compute/v1/images", $"{{\"folderId\":\"{folderId}\",\"uri\":\"http://127.0.0.1:1/x\"}}", contentType);
        var deprecate = await SendRawAsync(_admin, HttpMethod.Post, $"/compute/v1/images/{image}:deprecate", "{\"state\":\"DEPRECATED\"}", contentType);
        var patch = await SendRawAsync(_admin, HttpMethod.Patch, $"/compute/v1/folders/{folderId}/quotas", "{\"quotas\":[{\"name\":\"compute.images.count\",\"limit\":1}]}", contentType);

        foreach (var reply in new[] { create, deprecate, patch })
        {
            AssertContractError(reply, HttpStatusCode.UnsupportedMediaType, 3);
            Assert.Contains("Content-Type: application/json", reply.Message);
            Assert.Contains(contentType.Split(';')[0], reply.Message);
        }
        Assert.Single(await _admin.ListImagesAsync(folderId));
        Assert.Equal("ACTIVE", (await _admin.GetReplyAsync($"/compute/v1/images/{image}")).Body!["deprecation"]!.Str("state"));
        Assert.Equal(quotas, (await _admin.GetReplyAsync($"/compute/v1/folders/{folderId}/quotas")).Text);
    }

    [Fact]
    public async Task A_JSON_body_without_a_Content_Type_is_read_as_JSON_and_bodiless_methods_ignore_it()
    {
        var folderId = await _admin.CreateFolderAsync();
        var image = (await _admin.DoneAsync(HttpMethod.Post, "/compute/v1/images", new { folderId, uri = fixture.Files.Add(Names.Unique("n"), DiskImages.Raw(4096)) })).Str("id");

        var deprecate = await SendRawAsync(_admin, HttpMethod.Post, $"/compute/v1/images/{image}:deprecate", "{\"state\":\"DEPRECATED\"}", contentType: null);
        var export = await SendRawAsync(_admin, HttpMethod.Post, $"/compute/v1/images/{image}:export", body: null, contentType: null);
        var listed = await SendRawAsync(_admin, HttpMethod.Get, $"/compute/v1/images/{image}:listAccessBindings", body: null, contentType: null);

        Assert.True(deprecate.Status == HttpStatusCode.OK, deprecate.Text);
        Assert.Equal("DEPRECATED", (await _admin.WaitAsync(deprecate.Body!))["response"]!["deprecation"]!.Str("state"));
        Assert.True(export.Status == HttpStatusCode.OK && export.Body!["url"] is not null, export.Text);
        Assert.True(listed.Status == HttpStatusCode.OK, listed.Text);
    }

    [Theory]
    [InlineData("POST", "/compute/v1/images/IMG:frobnicate", "/compute/v1/images/{imageId}")]
    [InlineData("GET", "/compute/v1/images/IMG:frobnicate", "/compute/v1/images/{imageId}")]
    [InlineData("POST", "/compute/v1/images:frobnicate", "/compute/v1/images")]
    [InlineData("POST", "/resource-manager/v1/folders/FLD:frobnicate", "/resource-manager/v1/folders/{folderId}")]
    [InlineData("POST", "/operations/opraaaaaaaaaaaaaaaaa:frobnicate", "/operations/{operationId}")]
    [InlineData("POST", "/compute/v1/instances:frobnicate", "/compute/v1/instances")]
    public async Task An_unknown_custom_method_is_404_listing_the_methods_that_exist(string method, string path, string resource)
    {
        var folderId = await _admin.CreateFolderAsync();
        var image = (await _admin.DoneAsync(HttpMethod.Post, "/compute/v1/images", new { folderId, uri = fixture.Files.Add(Names.Unique("v"), DiskImages.Raw(4096)) })).Str("id");
        var document = JsonNode.Parse(await fixture.Stratum.Http(null).GetStringAsync("/openapi/v1.json"))!;
        // What exists is what the API describes: every custom method of that resource, with its HTTP method.
        var expected = document["paths"]!.AsObject()
            .Where(p => p.Key.StartsWith(resource + ":", StringComparison.Ordinal))
            .SelectMany(p => p.Value!.AsObject().Select(o => $"{o.Key.ToUpperInvariant()} :{p.Key[(resource.Length + 1)..]}"))
            .ToList();
        Assert.NotEmpty(expected);

        var reply = await _admin.SendAsync(new HttpMethod(method), path.Replace("IMG", image).Replace("FLD", folderId), method == "POST" ? "{}" : null);

        AssertContractError(reply, HttpStatusCode.NotFound, 5);
        Assert.Contains("':frobnicate' is not known", reply.Message);
        Assert.All(expected, verb => Assert.Contains(verb, reply.Message));
        Assert.Equal("ACTIVE", (await _admin.GetReplyAsync($"/compute/v1/images/{image}")).Body!["deprecation"]!.Str("state"));
    }

    [Theory]
    [InlineData("GET", "/compute/v1/images/imgaaaaaaaaaaaaaaaaa:deprecate", "POST")]
    [InlineData("DELETE", "/compute/v1/images/imgaaaaaaaaaaaaaaaaa:listAccessBindings", "GET")]
    [InlineData("POST", "/compute/v1/images:latestByFamily", "GET")]
    [InlineData("GET", "/operations/opraaaaaaaaaaaaaaaaa:cancel", "POST")]
    public async Task A_custom_method_called_with_the_wrong_HTTP_method_is_405_naming_the_right_one(string method, string path, string allowed)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        using var response = await _admin.SendAsync(request);
        var reply = new Api.Reply(response.StatusCode, JsonNode.Parse(await response.Content.ReadAsStringAsync()));

        AssertContractError(reply, HttpStatusCode.MethodNotAllowed, 3);
        Assert.Contains($"is called with {allowed}, not {method}", reply.Message);
        Assert.Equal(allowed == "GET" ? ["GET", "HEAD"] : new[] { allowed }, response.Content.Headers.Allow.Order());
    }

    [Fact]
    public async Task A_method_a_path_does_not_serve_is_405_with_the_methods_it_does()
    {
        using var response = await _admin.SendAsync(new HttpRequestMessage(HttpMethod.Put, "/compute/v1/images/imgaaaaaaaaaaaaaaaaa"));
        var reply = new Api.Reply(response.StatusCode, JsonNode.Parse(await response.Content.ReadAsStringAsync()));

        AssertContractError(reply, HttpStatusCode.MethodNotAllowed, 3);
        Assert.Equal(new[] { "DELETE", "GET", "HEAD", "PATCH" }, response.Content.Headers.Allow.Order());
        Assert.Contains("takes DELETE, GET, HEAD, PATCH", reply.Message);
    }

    [Theory]
    [InlineData("/compute/v2/images")]
    [InlineData("/nothing")]
    [InlineData("/compute/v1/images/imgaaaaaaaaaaaaaaaaa/nothing")]
    public async Task A_path_nothing_serves_is_404_in_the_contracts_shape(string path)
    {
        AssertContractError(await _admin.GetReplyAsync(path), HttpStatusCode.NotFound, 5);
        AssertContractError(await fixture.Stratum.Http(token: null).GetReplyAsync(path), HttpStatusCode.NotFound, 5);
    }

    [Fact]
    public async Task LatestByFamily_tells_a_folder_reader_whether_the_family_exists()
    {
        var folderId = await _admin.CreateFolderAsync();
        await _admin.GrantAsync(folderId, "viewer", "bob");
        var image = (await _admin.DoneAsync(HttpMethod.Post, "/compute/v1/images",
            new { folderId, family = "web", uri = fixture.Files.Add(Names.Unique("w"), DiskImages.Raw(4096)) })).Str("id");
        await _admin.DoneAsync(HttpMethod.Post, $"/compute/v1/images/{image}:deprecate", new { state = "DEPRECATED" });

        var missing = await _bob.GetReplyAsync($"/compute/v1/images:latestByFamily?folderId={folderId}&family=database");
        var empty = await _bob.GetReplyAsync($"/compute/v1/images:latestByFamily?folderId={folderId}&family=web");

        AssertContractError(missing, HttpStatusCode.NotFound, 5);
        AssertContractError(empty, HttpStatusCode.NotFound, 5);
        Assert.Equal($"Folder '{folderId}' has no family 'database' (a family exists from the time one of its images is READY until its last image is deleted).", missing.Message);
        Assert.StartsWith($"Family 'web' in folder '{folderId}' has 1 image(s), but none is READY and ACTIVE", empty.Message);
    }

    [Fact]
    public async Task LatestByFamily_tells_a_caller_who_may_not_read_the_folder_nothing_about_what_exists()
    {
        var withFamily = await _admin.CreateFolderAsync();
        var withoutFamily = await _admin.CreateFolderAsync();
        var deprecated = await _admin.CreateFolderAsync();
        await _admin.DoneAsync(HttpMethod.Post, "/compute/v1/images", new { folderId = withFamily, family = "web", uri = fixture.Files.Add(Names.Unique("s"), DiskImages.Raw(4096)) });
        var old = (await _admin.DoneAsync(HttpMethod.Post, "/compute/v1/images", new { folderId = deprecated, family = "web", uri = fixture.Files.Add(Names.Unique("d"), DiskImages.Raw(4096)) })).Str("id");
        await _admin.DoneAsync(HttpMethod.Post, $"/compute/v1/images/{old}:deprecate", new { state = "DEPRECATED" });
        const string nowhere = "fldzzzzzzzzzzzzzzzzz";

        var answers = new List<string>();
        foreach (var folderId in new[] { withFamily, withoutFamily, deprecated, nowhere })
        {
            var reply = await _bob.GetReplyAsync($"/compute/v1/images:latestByFamily?folderId={folderId}&family=web");
            AssertContractError(reply, HttpStatusCode.NotFound, 5);
            answers.Add(reply.Message!.Replace(folderId, "FOLDER"));
        }

        // One answer whatever exists: an existing family, none, one with nothing ACTIVE, no folder at all.
        Assert.Single(answers.Distinct());
        Assert.DoesNotContain("has no family", answers[0]);
        Assert.DoesNotContain("image(s)", answers[0]);
        Assert.Contains("does not say whether the family exists", answers[0]);
    }
}
