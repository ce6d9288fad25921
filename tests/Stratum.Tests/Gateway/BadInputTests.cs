using System.Net;
using System.Text;
using Stratum.Tests.Infrastructure;

namespace Stratum.Tests.Gateway;

/// <summary>
/// Every bad input is a 4xx in the contract's shape that names what is wrong, and changes nothing:
/// the folder's image list and quota usage are the same afterwards.
/// </summary>
[Collection(GatewayCollection.Name)]
public sealed class BadInputTests(GatewayFixture fixture)
{
    private const string Uri = "URI";
    private readonly HttpClient _admin = fixture.Stratum.Http();

    public static TheoryData<string, string> ImageBodies => new()
    {
        { "{", "The request body is not valid JSON" },
        { "{\"folderId\":", "The request body is not valid JSON" },
        { " \r\n\t ", "The request body is required." },
        { "{\"folderId\":\"F\",}", "trailing comma at the end (line 1, byte" },
        { "{\"folderId\":\"F\",\"uri\":\"URI\"", "The request body is not valid JSON" },
        { "[1,2]", "not a valid JSON" },
        { "{\"folderId\":\"F\",\"uri\":\"URI\",\"name\":\"Bad\"}", "name" },
        { "{\"folderId\":\"F\",\"uri\":\"URI\",\"name\":\"a" + new string('b', 63) + "\"}", "name" },
        { "{\"folderId\":\"F\",\"uri\":\"URI\",\"name\":\"ends-\"}", "name" },
        { "{\"folderId\":\"F\",\"uri\":\"URI\",\"family\":\"ab\"}", "family" },
        { "{\"folderId\":\"F\",\"uri\":\"URI\",\"family\":\"Upper\"}", "family" },
        { "{\"folderId\":\"F\",\"uri\":\"URI\",\"description\":\"" + new string('d', 257) + "\"}", "description" },
        { "{\"folderId\":\"F\",\"uri\":\"URI\",\"labels\":{\"Key\":\"v\"}}", "labels key" },
        { "{\"folderId\":\"F\",\"uri\":\"URI\",\"labels\":{\"k\":\"V\"}}", "labels.k" },
        { "{\"folderId\":\"F\",\"uri\":\"URI\",\"labels\":{" + string.Join(",", Enumerable.Range(0, 65).Select(i => $"\"k{i}\":\"v\"")) + "}}", "65 entries" },
        { "{\"folderId\":\"F\",\"uri\":\"URI\",\"minDiskSize\":\"4194303\"}", "minDiskSize" },
        { "{\"folderId\":\"F\",\"uri\":\"URI\",\"minDiskSize\":4398046511105}", "minDiskSize" },
        { "{\"folderId\":\"F\",\"uri\":\"URI\",\"minDiskSize\":\"lots\"}", "minDiskSize" },
        { "{\"folderId\":\"F\",\"uri\":\"URI\",\"minDiskSize\":true}", "minDiskSize" },
        { "{\"folderId\":\"F\",\"uri\":\"URI\",\"os\":{\"type\":\"BSD\"}}", "os.type" },
        { "{\"folderId\":\"F\",\"uri\":\"URI\",\"pooled\":\"yes\"}", "pooled" },
        { "{\"folderId\":\"F\",\"uri\":\"URI\",\"colour\":\"red\"}", "Field 'colour' is not a known field." },
        { "{\"folderId\":\"F\",\"uri\":\"URI\",\"os\":{\"type\":\"LINUX\",\"extra\":1}}", "Field 'os.extra' is not a known field." },
        { "{\"folderId\":\"F\",\"uri\":\"URI\",\"Family\":\"fam\"}", "Field 'Family' is not a known field." },
        { "{\"folderId\":\"F\",\"uri\":\"URI\",\"family\":\"ok\",\"family\":\"other\"}", "Field 'family' appears more than once." },
        { "{\"folderId\":\"F\",\"uri\":\"URI\",\"os\":{\"type\":\"LINUX\",\"type\":\"WINDOWS\"}}", "Field 'os.type' appears more than once." },
        { "{\"folderId\":\"F\",\"uri\":\"URI\",\"format\":\"VHDX\"}", "format" },
        { "{\"folderId\":\"F\"}", "Exactly one source" },
        { "{\"folderId\":\"F\",\"uri\":\"URI\",\"imageId\":\"imgaaaaaaaaaaaaaaaaa\"}", "imageId and uri" },
        { "{\"folderId\":\"F\",\"imageId\":\"nope\"}", "imageId" },
        { "{\"uri\":\"URI\"}", "folderId" },
        { "{\"folderId\":\"F\",\"uri\":\"URI\",\"productIds\":[\"Bad!\"]}", "productIds" },
        { "{\"folderId\":\"F\",\"uri\":\"URI\",\"description\":\"\\ud800\"}", "Field 'description' is not valid Unicode text: it holds an unpaired surrogate escape" },
        // A NUL or a terminal's escape sequence was stored and handed back to every reader (a fresh-user trial).
        { "{\"folderId\":\"F\",\"uri\":\"URI\",\"description\":\"line\\u0000nul\"}", "description holds the control character U+0000" },
        { "{\"folderId\":\"F\",\"uri\":\"URI\",\"description\":\"\\u001b[31mred\"}", "description holds the control character U+001B" },
        // Such a key had been reported as its object being of the wrong type ("Field 'labels' must be an object"), or the body as not JSON.
        { "{\"folderId\":\"F\",\"uri\":\"URI\",\"labels\":{\"a\\ud800\":\"b\"}}", "A field name in 'labels' is not valid Unicode text: it holds an unpaired surrogate escape" },
        { "{\"folderId\":\"F\",\"uri\":\"URI\",\"x\\udc00y\":1}", "A field name at the top level is not valid Unicode text" },
    };

    [Fact]
    public async Task A_body_that_is_not_UTF_8_is_400_naming_the_byte_and_changes_nothing()
    {
        var folderId = await _admin.CreateFolderAsync();
        var image = await ImportAsync(folderId, DiskImages.Raw(4096));
        var before = (await _admin.GetReplyAsync($"/compute/v1/folders/{folderId}/quotas")).Text;
        // "café" with its é in Latin-1: one byte 0xE9, which UTF-8 only has as the start of a three-byte character.
        byte[] Latin1(string json) => Encoding.Latin1.GetBytes(json);

        var create = await _admin.PostReplyAsync("/compute/v1/images",
            Latin1($"{{\"folderId\":\"{folderId}\",\"imageId\":\"{image}\",\"description\":\"caf\u00e9\"}}"));
        var update = await _admin.SendAsync(HttpMethod.Patch, $"/compute/v1/images/{image}", Latin1("{\"description\":\"caf\u00e9\"}"));

        // Behind a byte order mark, the byte is still counted in the body as sent: 0xEF 0xBB 0xBF, then {"description":"caf, then 0xE9.
        var marked = await _admin.SendAsync(HttpMethod.Patch, $"/compute/v1/images/{image}", new byte[] { 0xEF, 0xBB, 0xBF }.Concat(Latin1("{\"description\":\"caf\u00e9\"}")).ToArray());

        foreach (var reply in new[] { create, update, marked })
        {
            Assert.True(reply.Status == HttpStatusCode.BadRequest && reply.Code == 3, $"{reply.Status} {reply.Text}");
            Assert.StartsWith("The request body is not valid UTF-8: byte ", reply.Message);
            Assert.Contains("(0xE9)", reply.Message);
        }
        Assert.StartsWith("The request body is not valid UTF-8: byte 20 (0xE9)", update.Message);
        Assert.StartsWith("The request body is not valid UTF-8: byte 23 (0xE9)", marked.Message);
        Assert.Single(await _admin.ListImagesAsync(folderId));
        Assert.Equal("", (await _admin.GetReplyAsync($"/compute/v1/images/{image}")).Body!["description"]!.GetValue<string>());
        Assert.Equal(before, (await _admin.GetReplyAsync($"/compute/v1/folders/{folderId}/quotas")).Text);
    }

    [Fact]
    public async Task Field_names_and_list_terms_the_caller_sent_are_echoed_shortened()
    {
        var folderId = await _admin.CreateFolderAsync();
        var image = await ImportAsync(folderId, DiskImages.Raw(4096));
        var longName = new string('k', 100_000);
        var emoji = string.Concat(Enumerable.Repeat("\U0001F600", 50_000));

        var replies = new[]
        {
            await _admin.SendAsync(HttpMethod.Patch, $"/compute/v1/images/{image}", Encoding.UTF8.GetBytes($"{{\"{longName}\":1}}")),
            await _admin.SendAsync(HttpMethod.Patch, $"/compute/v1/images/{image}", Encoding.UTF8.GetBytes($"{{\"{emoji}\":1}}")),
            await _admin.PostReplyAsync("/compute/v1/images", Encoding.UTF8.GetBytes($"{{\"folderId\":\"{folderId}\",\"imageId\":\"{image}\",\"os\":{{\"type\":\"LINUX\",\"{longName}\":1}}}}")),
            await _admin.SendAsync(HttpMethod.Patch, $"/compute/v1/images/{image}", Encoding.UTF8.GetBytes($"{{\"labels\":{{\"{longName.ToUpperInvariant()}\":\"v\"}}}}")),
            await _admin.GetReplyAsync($"/compute/v1/images?folderId={folderId}&filter=" + System.Uri.EscapeDataString(new string('f', 2000) + " = 'x'")),
            await _admin.GetReplyAsync($"/compute/v1/images?folderId={folderId}&orderBy=" + new string('o', 2000)),
        };

        foreach (var reply in replies)
        {
            Assert.True(reply.Status == HttpStatusCode.BadRequest && reply.Code == 3, $"{reply.Status} {reply.Text[..Math.Min(300, reply.Text.Length)]}");
            // The answers had held the whole name: 100 KB, and 50,000 emoji escaped to 600 KB.
            Assert.True(reply.Text.Length < 600, $"{reply.Text.Length} characters: {reply.Text[..Math.Min(300, reply.Text.Length)]}");
            Assert.Contains("…", reply.Message);
        }
        Assert.Equal("", (await _admin.GetReplyAsync($"/compute/v1/images/{image}")).Body!["description"]!.GetValue<string>());
    }

    [Theory]
    [MemberData(nameof(ImageBodies))]
    public async Task Bad_image_bodies_are_400_and_change_nothing(string body, string named)
    {
        var folderId = await _admin.CreateFolderAsync();
        var before = (await _admin.GetReplyAsync($"/compute/v1/folders/{folderId}/quotas")).Text;

        var reply = await _admin.PostReplyAsync("/compute/v1/images",
            body.Replace("\"F\"", $"\"{folderId}\"").Replace(Uri, fixture.Files.Add(Names.Unique("b"), DiskImages.Raw(4096))));

        Assert.True(reply.Status == HttpStatusCode.BadRequest && reply.Code == 3, $"{reply.Status} {reply.Text}");
        Assert.Contains(named, reply.Message);
        Assert.Empty(await _admin.ListImagesAsync(folderId));
        Assert.Equal(before, (await _admin.GetReplyAsync($"/compute/v1/folders/{folderId}/quotas")).Text);
    }

    [Theory]
    [InlineData("missing")]
    [InlineData("itself")]
    [InlineData("error")]
    [InlineData("other-folder")]
    public async Task A_deprecation_replacement_must_be_another_ready_image_of_the_folder(string replacement)
    {
        var folderId = await _admin.CreateFolderAsync();
        var image = await ImportAsync(folderId, DiskImages.Raw(4096));
        var id = replacement switch
        {
            "missing" => "img" + new string('x', 17),
            "itself" => image,
            "error" => (await _admin.WaitAsync((await _admin.PostReplyAsync("/compute/v1/images",
                new { folderId, uri = fixture.Files.Add(Names.Unique("e"), DiskImages.Raw(4097)) })).Body!))["metadata"]!.Str("imageId"),
            _ => await ImportAsync(await _admin.CreateFolderAsync(), DiskImages.Raw(4096)),
        };

        var reply = await _admin.PostReplyAsync($"/compute/v1/images/{image}:deprecate", new { state = "DEPRECATED", replacement = id });

        Assert.True(reply.Status == HttpStatusCode.BadRequest && reply.Code == 3, $"{reply.Status} {reply.Text}");
        Assert.Contains($"replacement '{id}'", reply.Message);
        Assert.Equal("ACTIVE", (await _admin.GetReplyAsync($"/compute/v1/images/{image}")).Body!["deprecation"]!.Str("state"));
    }

    private async Task<string> ImportAsync(string folderId, byte[] content) =>
        (await _admin.DoneAsync(HttpMethod.Post, "/compute/v1/images", new { folderId, uri = fixture.Files.Add(Names.Unique("i"), content) })).Str("id");

    [Theory]
    [InlineData("a", 4L << 20, 64)]
    [InlineData("a12345678901234567890123456789012345678901234567890123456789012", 4L << 40, 0)]
    public async Task Values_at_their_bounds_are_accepted(string name, long minDiskSize, int labels)
    {
        var folderId = await _admin.CreateFolderAsync();
        var image = await _admin.DoneAsync(HttpMethod.Post, "/compute/v1/images", new
        {
            folderId, name, minDiskSize, description = new string('d', 256),
            labels = Enumerable.Range(0, labels).ToDictionary(i => $"k{i}", _ => new string('v', 63)),
            uri = fixture.Files.Add(Names.Unique("ok"), DiskImages.Raw(4096)),
        });
        Assert.Equal(name, image.Str("name"));
        Assert.Equal(minDiskSize.ToString(), image.Str("minDiskSize"));
    }

    [Theory]
    [InlineData("/compute/v1/images/imgaaaaaaaaaaaaaaaaa")]
    [InlineData("/compute/v1/images/not-an-id")]
    [InlineData("/resource-manager/v1/folders/fldaaaaaaaaaaaaaaaaa")]
    [InlineData("/operations/opraaaaaaaaaaaaaaaaa")]
    [InlineData("/compute/v1/images?folderId=fldaaaaaaaaaaaaaaaaa")]
    public async Task Unknown_ids_are_404(string path)
    {
        var reply = await _admin.GetReplyAsync(path);
        Assert.True(reply.Status == HttpStatusCode.NotFound && reply.Code == 5, reply.Text);
    }

    [Fact]
    public async Task A_long_id_is_quoted_shortened_in_its_404()
    {
        var id = "img" + new string('a', 5000);
        var reply = await _admin.GetReplyAsync($"/compute/v1/images/{id}");
        Assert.True(reply.Status == HttpStatusCode.NotFound && reply.Code == 5, reply.Text);
        Assert.Contains($"'{id[..EchoedText.DefaultLength]}…'", reply.Message);
        Assert.True(reply.Message!.Length < 200, reply.Message);
    }

    [Theory]
    [InlineData("/compute/v1/images", "minDiskSize", "\"uri\":\"URI\",")]
    [InlineData("/compute/v1/disks", "size", "")]
    public async Task A_negative_decimal_string_is_judged_by_the_field_rule_as_its_number_is(string path, string field, string source)
    {
        var folderId = await _admin.CreateFolderAsync();
        string Body(string value) => $"{{\"folderId\":\"{folderId}\",{source.Replace(Uri, fixture.Files.Add(Names.Unique("n"), DiskImages.Raw(4096)))}\"{field}\":{value}}}";

        var asString = await _admin.PostReplyAsync(path, Body("\"-1\""));
        var asNumber = await _admin.PostReplyAsync(path, Body("-1"));

        Assert.True(asString.Status == HttpStatusCode.BadRequest && asString.Code == 3, asString.Text);
        Assert.Equal(asNumber.Message, asString.Message);
        Assert.DoesNotContain("integer", asString.Message);
    }

    [Theory]
    [InlineData("/compute/v1/disks", "{\"folderId\":\"FOLDER\"}", "size is required.")]
    [InlineData("/compute/v1/instances", "{\"folderId\":\"FOLDER\",\"bootDiskSpec\":{\"diskSpec\":{}}}", "bootDiskSpec.diskSpec.size is required.")]
    public async Task A_field_without_a_default_left_out_is_400_naming_it_not_read_as_zero(string path, string body, string message)
    {
        var folderId = await _admin.CreateFolderAsync();

        var reply = await _admin.PostReplyAsync(path, body.Replace("FOLDER", folderId));

        Assert.True(reply.Status == HttpStatusCode.BadRequest && reply.Code == 3, reply.Text);
        Assert.Equal(message, reply.Message);
    }

    [Theory]
    [InlineData("{\"folderId\":\"FOLDER\",\"diskId\":null}", "/compute/v1/snapshots", "diskId is required.")]
    [InlineData("{\"accessBindings\":[{\"roleId\":null,\"subject\":{\"id\":\"bob\",\"type\":\"userAccount\"}}]}", "/resource-manager/v1/folders/FOLDER:setAccessBindings", "accessBindings[0].roleId is required.")]
    [InlineData("{\"folderId\":\"FOLDER\",\"size\":null}", "/compute/v1/disks", "size is required.")]
    [InlineData("{\"folderId\":\"FOLDER\",\"size\":4194304,\"family\":{\"folderId\":\"standard-images\",\"name\":null}}", "/compute/v1/disks", "family.name is required.")]
    [InlineData("{\"folderId\":\"FOLDER\",\"count\":null,\"namePrefix\":\"vm\",\"bootDiskSpec\":{\"diskSpec\":{\"size\":4194304}}}", "/compute/v1/instances:bulkCreate", "count is required.")]
    [InlineData("{\"folderId\":\"FOLDER\",\"bootDiskSpec\":{\"diskSpec\":{\"size\":null}}}", "/compute/v1/instances", "bootDiskSpec.diskSpec.size is required.")]
    [InlineData("{\"folderId\":\"FOLDER\",\"uri\":\"http://127.0.0.1:1/x\",\"productIds\":[null]}", "/compute/v1/images", "productIds[0] must be a string, not null.")]
    [InlineData("{\"folderId\":\"FOLDER\",\"uri\":\"http://127.0.0.1:1/x\",\"labels\":{\"k\":null}}", "/compute/v1/images", "labels.k must be a string, not null.")]
    [InlineData("{\"folderId\":\"FOLDER\",\"count\":\"2\",\"namePrefix\":\"vm\",\"bootDiskSpec\":{\"diskSpec\":{\"size\":4194304}}}", "/compute/v1/instances:bulkCreate", "Field 'count' must be a whole number, as a JSON number.")]
    [InlineData("{\"folderId\":\"FOLDER\",\"count\":99999999999,\"namePrefix\":\"vm\",\"bootDiskSpec\":{\"diskSpec\":{\"size\":4194304}}}", "/compute/v1/instances:bulkCreate", "Field 'count' is out of range for a 32-bit whole number.")]
    [InlineData("{\"folderId\":\"FOLDER\",\"count\":2.5,\"namePrefix\":\"vm\",\"bootDiskSpec\":{\"diskSpec\":{\"size\":4194304}}}", "/compute/v1/instances:bulkCreate", "Field 'count' must be a whole number, as a JSON number.")]
    [InlineData("{\"folderId\":\"FOLDER\",\"uri\":\"http://127.0.0.1:1/x.raw\",\"pooled\":\"yes\"}", "/compute/v1/images", "Field 'pooled' must be true or false.")]
    [InlineData("{\"folderId\":\"FOLDER\",\"uri\":\"http://127.0.0.1:1/x.raw\",\"description\":5}", "/compute/v1/images", "Field 'description' must be a string.")]
    [InlineData("{\"folderId\":\"FOLDER\",\"uri\":\"http://127.0.0.1:1/x.raw\",\"productIds\":{}}", "/compute/v1/images", "Field 'productIds' must be an array.")]
    [InlineData("{\"folderId\":\"FOLDER\",\"uri\":\"http://127.0.0.1:1/x.raw\",\"os\":5}", "/compute/v1/images", "Field 'os' must be an object.")]
    [InlineData("{\"folderId\":\"FOLDER\",\"uri\":\"http://127.0.0.1:1/x.raw\",\"labels\":[]}", "/compute/v1/images", "Field 'labels' must be an object.")]
    public async Task A_field_given_as_null_or_a_value_of_the_wrong_type_is_400_saying_what_it_takes(string body, string path, string message)
    {
        var folderId = await _admin.CreateFolderAsync();

        var reply = await _admin.PostReplyAsync(path.Replace("FOLDER", folderId), body.Replace("FOLDER", folderId));

        Assert.True(reply.Status == HttpStatusCode.BadRequest && reply.Code == 3, reply.Text);
        Assert.Equal(message, reply.Message);
    }

    [Theory]
    [InlineData("/operations/opraaaaaaaaaaaaaaaaa:cancel")]
    [InlineData("/compute/v1/images/imgaaaaaaaaaaaaaaaaa:restore")]
    public async Task A_method_without_a_body_refuses_fields_it_would_ignore(string path)
    {
        var reply = await _admin.PostReplyAsync(path, "{\"force\":true}");

        Assert.True(reply.Status == HttpStatusCode.BadRequest && reply.Code == 3, reply.Text);
        Assert.Equal("Field 'force' is not a known field.", reply.Message);
        // No body, or an empty object, goes on to the method (here: no such resource).
        Assert.Equal(HttpStatusCode.NotFound, (await _admin.PostReplyAsync(path, "{}")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await _admin.PostReplyAsync(path, null)).Status);
    }

    [Theory]
    [InlineData("pageSize=1001", "pageSize 1001 is out of range: use 1 to 1000.")]
    [InlineData("pageSize=-1", "pageSize -1 is out of range: use 1 to 1000.")]
    [InlineData("pageSize=many", "pageSize 'many' is not a whole number: use 1 to 1000.")]
    [InlineData("pageSize=99999999999", "pageSize 99999999999 is out of range: use 1 to 1000.")]
    [InlineData("pageToken=garbage", "pageToken")]
    [InlineData("orderBy=size", "orderBy")]
    public async Task Bad_list_parameters_are_400(string query, string named)
    {
        var folderId = await _admin.CreateFolderAsync();
        var reply = await _admin.GetReplyAsync($"/compute/v1/images?folderId={folderId}&{query}");
        Assert.True(reply.Status == HttpStatusCode.BadRequest && reply.Code == 3, reply.Text);
        Assert.Contains(named, reply.Message);
    }

    [Fact]
    public async Task A_signed_page_size_is_read_as_a_body_reads_it()
    {
        await _admin.CreateFolderAsync();
        await _admin.CreateFolderAsync();

        var reply = await _admin.GetReplyAsync("/resource-manager/v1/folders?pageSize=%2B1");

        Assert.True(reply.Status == HttpStatusCode.OK, reply.Text);
        Assert.Single(reply.Body!["folders"]!.AsArray());
    }

    [Fact]
    public async Task A_body_that_starts_with_a_byte_order_mark_is_read()
    {
        var folderId = await _admin.CreateFolderAsync();
        using var content = new ByteArrayContent([.. "\uFEFF"u8, .. System.Text.Encoding.UTF8.GetBytes($"{{\"folderId\":\"{folderId}\",\"size\":4194304}}")]);
        content.Headers.ContentType = new("application/json");

        using var reply = await _admin.PostAsync("/compute/v1/disks", content);

        Assert.True(reply.IsSuccessStatusCode, await reply.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task An_oversized_body_is_400()
    {
        var folderId = await _admin.CreateFolderAsync();
        var reply = await _admin.PostReplyAsync("/compute/v1/images", $"{{\"folderId\":\"{folderId}\",\"description\":\"{new string('x', 2 << 20)}\"}}");
        Assert.Equal(HttpStatusCode.BadRequest, reply.Status);
        Assert.Contains("larger than", reply.Message);
    }

    [Theory]
    [InlineData("{\"quotas\":[{\"name\":\"compute.gpus\",\"limit\":1}]}", "compute.gpus")]
    [InlineData("{\"quotas\":[{\"name\":\"compute.images.count\",\"limit\":-1}]}", "negative")]
    [InlineData("{\"quotas\":[]}", "at least one")]
    [InlineData("{\"quotas\":[{\"name\":\"compute.instances.count\"}]}", "quotas[0].limit is required")]
    [InlineData("{\"quotas\":[{\"name\":\"compute.disks.count\",\"limit\":5},{\"name\":\"compute.instances.count\",\"limit\":null}]}", "quotas[1].limit is required")]
    [InlineData("{\"quotas\":[{\"name\":\"compute.disks.count\",\"limit\":5},{\"name\":\"compute.disks.count\",\"limit\":500}]}", "more than once")]
    [InlineData("{\"quotas\":[null]}", "quotas[0] must be an object: {name, limit}.")]
    [InlineData("{\"quotas\":[{\"name\":\"compute.disks.count\",\"limit\":\"250\"},null]}", "quotas[1] must be an object: {name, limit}.")]
    [InlineData("{\"quotas\":[{\"name\":null,\"limit\":\"5\"}]}", "quotas[0].name is required.")]
    [InlineData("{\"quotas\":[{\"limit\":\"5\"}]}", "quotas[0].name is required.")]
    public async Task Bad_quota_changes_are_400_and_change_nothing(string body, string named)
    {
        var folderId = await _admin.CreateFolderAsync();
        var before = (await _admin.GetReplyAsync($"/compute/v1/folders/{folderId}/quotas")).Text;
        var reply = await _admin.SendAsync(HttpMethod.Patch, $"/compute/v1/folders/{folderId}/quotas", body);
        Assert.True(reply.Status == HttpStatusCode.BadRequest && reply.Code == 3, reply.Text);
        Assert.Contains(named, reply.Message);
        Assert.Equal(before, (await _admin.GetReplyAsync($"/compute/v1/folders/{folderId}/quotas")).Text);
    }

    [Theory]
    [InlineData("{\"accessBindings\":[{\"roleId\":\"owner\",\"subject\":{\"id\":\"bob\",\"type\":\"userAccount\"}}]}", "owner")]
    [InlineData("{\"accessBindings\":[{\"roleId\":\"viewer\",\"subject\":{\"id\":\"bob\",\"type\":\"group\"}}]}", "subject.type")]
    [InlineData("{\"accessBindings\":[{\"roleId\":\"viewer\",\"subject\":{\"id\":\"everyone\",\"type\":\"system\"}}]}", "not a system group")]
    [InlineData("{\"accessBindings\":[{\"roleId\":\"viewer\",\"subject\":{\"id\":\"bob\\u0000x\",\"type\":\"userAccount\"}}]}", "subject.id holds the control character U+0000")]
    public async Task Bad_bindings_are_400_and_change_nothing(string body, string named)
    {
        var folderId = await _admin.CreateFolderAsync();
        var reply = await _admin.PostReplyAsync($"/resource-manager/v1/folders/{folderId}:setAccessBindings", body);
        Assert.True(reply.Status == HttpStatusCode.BadRequest && reply.Code == 3, reply.Text);
        Assert.Contains(named, reply.Message);
        Assert.Equal("[]", (await _admin.GetReplyAsync($"/resource-manager/v1/folders/{folderId}:listAccessBindings")).Body!["accessBindings"]!.ToJsonString());
    }

    [Fact]
    public async Task A_query_parameter_given_twice_is_400_not_joined()
    {
        var folderId = await _admin.CreateFolderAsync();
        var reply = await _admin.GetReplyAsync($"/compute/v1/images?folderId={folderId}&folderId=standard-images");
        Assert.True(reply.Status == HttpStatusCode.BadRequest && reply.Code == 3, reply.Text);
        Assert.Contains("'folderId' is given 2 times", reply.Message);
    }

    [Fact]
    public async Task An_idempotency_key_given_twice_or_empty_is_400_and_creates_nothing()
    {
        var folderId = await _admin.CreateFolderAsync();
        var body = $"{{\"folderId\":\"{folderId}\",\"size\":\"1073741824\"}}";
        // Two header lines, as curl sends two -H options (HttpClient would join them into one).
        foreach (var keys in new[] { "Idempotency-Key: a\r\nIdempotency-Key: b\r\n", "Idempotency-Key: \r\n" })
        {
            var reply = await RawPostAsync("/compute/v1/disks", keys, body);
            Assert.True(reply.StartsWith("HTTP/1.1 400", StringComparison.Ordinal) && reply.Contains("\"code\":3", StringComparison.Ordinal), reply);
            Assert.Contains("Idempotency-Key", reply);
        }
        Assert.Empty((await _admin.GetReplyAsync($"/compute/v1/disks?folderId={folderId}")).Body!["disks"]!.AsArray());
    }

    private async Task<string> RawPostAsync(string path, string extraHeaders, string body)
    {
        var address = _admin.BaseAddress!;
        using var client = new System.Net.Sockets.TcpClient();
        await client.ConnectAsync(address.Host, address.Port);
        await using var stream = client.GetStream();
        var token = _admin.DefaultRequestHeaders.Authorization!.ToString();
        var request = $"POST {path} HTTP/1.1\r\nHost: {address.Authority}\r\nAuthorization: {token}\r\nContent-Type: application/json\r\n"
            + $"{extraHeaders}Content-Length: {System.Text.Encoding.UTF8.GetByteCount(body)}\r\nConnection: close\r\n\r\n{body}";
        await stream.WriteAsync(System.Text.Encoding.UTF8.GetBytes(request));
        using var reader = new StreamReader(stream);
        return await reader.ReadToEndAsync();
    }
}
