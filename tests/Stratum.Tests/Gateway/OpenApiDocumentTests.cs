using System.Net;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Stratum.Gateway.Http;
using Stratum.Import.Inspection;
using Stratum.Tests.Infrastructure;

namespace Stratum.Tests.Gateway;

/// <summary>
/// Walks /openapi/v1.json against the gateway's own routing table: every route is an operation,
/// and every operation has a summary, typed responses, the error schema on each refusal, its query
/// parameters, its body, the bearer scheme, and enum values; the reference in docs/ names each one.
/// </summary>
[Collection(GatewayCollection.Name)]
public sealed class OpenApiDocumentTests(GatewayFixture fixture)
{
    private static readonly string[] ApiPrefixes = ["/compute/", "/resource-manager/", "/operations/"];

    /// <summary>The contract's lists: named pages with the paging parameters.</summary>
    private static readonly string[] PagedLists = ["ListFolders", "ListImages", "ListFamilies", "ListDisks", "ListSnapshots", "ListInstances"];

    /// <summary>Mutations that take no Idempotency-Key (their grain call has none to take).</summary>
    private static readonly string[] WithoutIdempotency = ["PrepareImageUpload", "ExportImage", "SetQuotas", "CancelOperation"];

    /// <summary>Every query parameter of each operation that has any (paging ones are checked for every list).</summary>
    private static readonly Dictionary<string, string[]> QueryParameters = new()
    {
        ["ListFolders"] = ["pageSize", "pageToken", "filter", "orderBy"],
        ["ListImages"] = ["folderId", "pageSize", "pageToken", "filter", "orderBy", "view"],
        ["ListFamilies"] = ["folderId", "pageSize", "pageToken", "filter", "orderBy"],
        ["ListDisks"] = ["folderId", "pageSize", "pageToken", "filter", "orderBy"],
        ["ListSnapshots"] = ["folderId", "pageSize", "pageToken", "filter", "orderBy"],
        ["ListInstances"] = ["folderId", "pageSize", "pageToken", "filter", "orderBy"],
        ["GetLatestImageByFamily"] = ["folderId", "family", "cohortKey"],
        ["WatchFamily"] = ["folderId", "family", "cohortKey", "lastEventId"],
    };

    private record struct Op(string Path, string Method, JsonObject Operation)
    {
        public string Id => Operation["operationId"]!.GetValue<string>();
        public IEnumerable<JsonObject> Parameters => Operation["parameters"]?.AsArray().Select(p => p!.AsObject()) ?? [];
        public override string ToString() => $"{Method} {Path}";
    }

    private async Task<JsonNode> DocumentAsync() => JsonNode.Parse(await fixture.Stratum.Http(token: null).GetStringAsync("/openapi/v1.json"))!;

    private static List<Op> Operations(JsonNode document) =>
        [.. document["paths"]!.AsObject().SelectMany(path => path.Value!.AsObject()
            .Where(o => o.Key != "parameters")
            .Select(o => new Op(path.Key, o.Key.ToUpperInvariant(), o.Value!.AsObject())))];

    private static JsonObject Component(JsonNode document, JsonNode? schema)
    {
        var reference = schema?["$ref"]?.GetValue<string>();
        Assert.True(reference is not null, $"expected a $ref to a named schema, got {schema?.ToJsonString()}");
        return document["components"]!["schemas"]![reference!.Split('/')[^1]]!.AsObject();
    }

    private IEnumerable<RouteEndpoint> ApiRoutes() =>
        fixture.Stratum.Gateway.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => ApiPrefixes.Any(p => e.RoutePattern.RawText!.StartsWith(p, StringComparison.Ordinal)));

    /// <summary>A route as the document names it: without the id constraint, and without the trailing slash a group's "" route has.</summary>
    private static string DocumentPath(RouteEndpoint route) => route.RoutePattern.RawText!.Replace(":" + CustomMethods.PlainSegment + "}", "}").TrimEnd('/');

    [Fact]
    public async Task Every_route_is_its_own_operation_and_every_custom_method_has_its_own_path()
    {
        var document = await DocumentAsync();
        var described = Operations(document).Select(o => o.ToString()).ToHashSet();
        var served = ApiRoutes().SelectMany(r => r.Metadata.GetMetadata<IHttpMethodMetadata>()!.HttpMethods.Select(m => $"{m} {DocumentPath(r)}")).ToList();

        Assert.True(served.Count >= 45, $"only {served.Count} routes found");
        Assert.All(served, s => Assert.Contains(s, described));
        Assert.All(described, d => Assert.Contains(d, served));
        Assert.DoesNotContain(described, d => d.Contains("{resource}", StringComparison.Ordinal));
        foreach (var verb in new[] { "deprecate", "rollout", "restore", "export", "setAccessBindings", "updateAccessBindings" })
        {
            Assert.Contains($"POST /compute/v1/images/{{imageId}}:{verb}", described);
        }
        Assert.Contains("GET /compute/v1/images/{imageId}:listAccessBindings", described);
        Assert.Contains("POST /operations/{operationId}:cancel", described);
        Assert.Contains("POST /resource-manager/v1/folders/{folderId}:updateAccessBindings", described);
    }

    [Fact]
    public async Task Every_operation_has_a_summary_an_id_a_tag_and_a_typed_success_response()
    {
        var document = await DocumentAsync();
        var operations = Operations(document);

        Assert.Equal(operations.Count, operations.Select(o => o.Id).Distinct().Count());
        foreach (var op in operations)
        {
            Assert.False(string.IsNullOrWhiteSpace(op.Operation["summary"]?.GetValue<string>()), $"{op} has no summary");
            Assert.NotEmpty(op.Operation["tags"]!.AsArray());
            var success = op.Operation["responses"]!["200"]?["content"]?.AsObject();
            Assert.True(success is { Count: 1 }, $"{op} has no typed 200 response");
            var (mediaType, content) = success!.Single();
            var schema = Component(document, content!["schema"]);
            Assert.True(schema["properties"]!.AsObject().Count > 0, $"{op}: 200 is an empty schema");
            Assert.Equal(op.Id == "WatchFamily" ? "text/event-stream" : "application/json", mediaType);
        }
    }

    [Fact]
    public async Task Every_refusal_is_described_by_the_contracts_error_schema()
    {
        var document = await DocumentAsync();
        var error = document["components"]!["schemas"]!["ErrorBody"]!;
        Assert.Equal(new[] { "code", "details", "message" }, error["required"]!.AsArray().Select(r => r!.GetValue<string>()).Order());
        Assert.Equal(new[] { 3, 5, 6, 7, 8, 9, 10, 13, 14, 16 }, Component(document, error["properties"]!["code"])["enum"]!.AsArray().Select(v => v!.GetValue<int>()));
        Assert.Equal("array", error["properties"]!["details"]!["type"]!.GetValue<string>());

        foreach (var op in Operations(document))
        {
            var responses = op.Operation["responses"]!.AsObject();
            var refusals = responses.Where(r => r.Key[0] is '4' or '5').ToList();
            var expected = new List<string> { "400", "401", "404", "500", "503" };
            if (op.Method is "POST" or "PATCH" or "DELETE")
            {
                expected.AddRange(["403", "409"]);
            }
            if (op.Operation["requestBody"] is not null)
            {
                expected.Add("415");
            }
            Assert.Empty(expected.Except(refusals.Select(r => r.Key)));
            foreach (var (status, response) in refusals)
            {
                Assert.True(response!["content"]?["application/json"]?["schema"]?["$ref"]?.GetValue<string>() == "#/components/schemas/ErrorBody",
                    $"{op}: {status} is not an ErrorBody");
            }
        }
    }

    [Fact]
    public async Task Lists_are_named_pages_with_their_paging_parameters()
    {
        var document = await DocumentAsync();
        var operations = Operations(document).ToDictionary(o => o.Id);

        foreach (var id in PagedLists)
        {
            var op = operations[id];
            var page = Component(document, op.Operation["responses"]!["200"]!["content"]!["application/json"]!["schema"]);
            var properties = page["properties"]!.AsObject();
            Assert.Equal(2, properties.Count);
            Assert.Single(properties, p => p.Value!["type"]?.ToJsonString() == "\"array\"" && p.Value["items"]?["$ref"] is not null);
            Assert.True(properties.ContainsKey("nextPageToken"), $"{op}: no nextPageToken");
            Assert.DoesNotContain("nextPageToken", page["required"]?.AsArray().Select(r => r!.GetValue<string>()) ?? []);
            var pageSize = op.Parameters.Single(p => p["name"]!.GetValue<string>() == "pageSize");
            Assert.Equal("integer", pageSize["schema"]!["type"]!.GetValue<string>());
            Assert.Equal("1000", pageSize["schema"]!["maximum"]!.ToString());
        }
        foreach (var id in new[] { "ListImageOperations", "ListDiskOperations", "ListImageAccessBindings", "ListFolderAccessBindings", "ListQuotas" })
        {
            var list = Component(document, operations[id].Operation["responses"]!["200"]!["content"]!["application/json"]!["schema"]);
            Assert.Equal("array", list["properties"]!.AsObject().Single().Value!["type"]!.GetValue<string>());
        }
    }

    [Fact]
    public async Task Every_query_parameter_is_described_and_each_required_one_is_required_by_the_server()
    {
        var document = await DocumentAsync();
        var admin = fixture.Stratum.Http();
        var folderId = await admin.CreateFolderAsync();

        foreach (var op in Operations(document))
        {
            var query = op.Parameters.Where(p => p["in"]!.GetValue<string>() == "query").ToList();
            Assert.Equal((QueryParameters.GetValueOrDefault(op.Id) ?? []).Order(), query.Select(p => p["name"]!.GetValue<string>()).Order());
            foreach (var parameter in op.Parameters)
            {
                Assert.False(string.IsNullOrWhiteSpace(parameter["description"]?.GetValue<string>() ?? (parameter["in"]!.GetValue<string>() == "path" ? "id" : null)),
                    $"{op}: {parameter["name"]} has no description");
                Assert.NotNull(parameter["schema"]!["type"]);
            }
            foreach (var required in query.Where(p => p["required"]?.GetValue<bool>() == true).Select(p => p["name"]!.GetValue<string>()))
            {
                var given = query.Where(p => p["required"]?.GetValue<bool>() == true && p["name"]!.GetValue<string>() != required)
                    .Select(p => $"{p["name"]}={(p["name"]!.GetValue<string>() == "folderId" ? folderId : "web")}");
                var reply = await admin.GetReplyAsync($"{op.Path}?{string.Join("&", given)}");
                Assert.True(reply.Status == HttpStatusCode.BadRequest && reply.Message!.Contains(required, StringComparison.Ordinal), $"{op} without {required}: {reply.Text}");
            }
        }
        var view = Operations(document).Single(o => o.Id == "ListImages").Parameters.Single(p => p["name"]!.GetValue<string>() == "view");
        Assert.Equal(new[] { "DEFAULT", "RECYCLE_BIN" }, view["schema"]!["enum"]!.AsArray().Select(v => v!.GetValue<string>()));
        var watch = Operations(document).Single(o => o.Id == "WatchFamily");
        Assert.Contains(watch.Parameters, p => p["in"]!.GetValue<string>() == "header" && p["name"]!.GetValue<string>() == "Last-Event-ID");
    }

    [Fact]
    public async Task Every_mutation_describes_its_body_and_its_Idempotency_Key()
    {
        var document = await DocumentAsync();
        var operations = Operations(document).ToDictionary(o => o.ToString());

        foreach (var route in ApiRoutes())
        {
            foreach (var method in route.Metadata.GetMetadata<IHttpMethodMetadata>()!.HttpMethods)
            {
                var op = operations[$"{method} {DocumentPath(route)}"];
                var body = route.Metadata.GetMetadata<IAcceptsMetadata>();
                if (body is null)
                {
                    Assert.True(op.Operation["requestBody"] is null, $"{op} describes a body it does not read");
                }
                else
                {
                    var described = op.Operation["requestBody"]!;
                    Assert.Equal(!body.IsOptional, described["required"]?.GetValue<bool>() ?? false);
                    var schema = described["content"]!["application/json"]!["schema"];
                    Assert.NotEmpty(Component(document, schema)["properties"]!.AsObject());
                    Assert.Equal($"#/components/schemas/{body.RequestType!.Name}", schema!["$ref"]!.GetValue<string>());
                }
                var keyed = op.Parameters.Any(p => p["in"]!.GetValue<string>() == "header" && p["name"]!.GetValue<string>() == "Idempotency-Key");
                Assert.True(keyed == (method != "GET" && !WithoutIdempotency.Contains(op.Id)), $"{op}: Idempotency-Key described: {keyed}");
            }
        }
    }

    [Fact]
    public async Task Enums_are_listed_with_the_values_the_API_writes()
    {
        var document = await DocumentAsync();
        var schemas = document["components"]!["schemas"]!.AsObject();
        var enums = typeof(ImageStatus).Assembly.GetExportedTypes().Where(t => t.IsEnum && schemas.ContainsKey(t.Name)).ToList();

        Assert.Superset(new HashSet<string> { "ImageStatus", "ImageFormat", "OsType", "DeprecationState", "DiskStatus", "InstanceStatus", "AccessBindingAction", "SubjectType", "ErrorCode" },
            enums.Select(t => t.Name).ToHashSet());
        foreach (var type in enums)
        {
            var expected = Enum.GetValues(type).Cast<object>().Select(v => JsonSerializer.Serialize(v, type, ContractJson.Options)).ToList();
            Assert.Equal(expected, schemas[type.Name]!["enum"]!.AsArray().Select(v => v!.ToJsonString()));
        }
        Assert.Equal("\"RECYCLE_BIN\"", JsonSerializer.Serialize(ImageView.RecycleBin, ContractJson.Options));
    }

    [Fact]
    public async Task The_bearer_scheme_is_declared_and_every_operation_refuses_a_caller_without_a_token()
    {
        var document = await DocumentAsync();
        var scheme = document["components"]!["securitySchemes"]!["bearer"]!;
        Assert.Equal("http", scheme["type"]!.GetValue<string>());
        Assert.Equal("bearer", scheme["scheme"]!.GetValue<string>());
        Assert.Equal("[{\"bearer\":[]}]", document["security"]!.ToJsonString());
        var anonymous = fixture.Stratum.Http(token: null);

        foreach (var op in Operations(document))
        {
            Assert.Null(op.Operation["security"]);   // nothing opts out of the document's requirement
            var path = System.Text.RegularExpressions.Regex.Replace(op.Path, "{[^}]+}", "fldaaaaaaaaaaaaaaaaa");
            var reply = await anonymous.SendAsync(new HttpMethod(op.Method), path, op.Method is "POST" or "PATCH" ? "{}" : null);
            Assert.True(reply.Status == HttpStatusCode.Unauthorized && reply.Code == 16, $"{op}: {reply.Status} {reply.Text}");
        }
    }

    [Fact]
    public async Task The_reference_in_docs_names_every_operation_and_every_import_rule()
    {
        var document = await DocumentAsync();
        var reference = await File.ReadAllTextAsync(Path.Combine(Azurite.RepositoryRoot(), "docs", "rest.md"));
        var index = await File.ReadAllTextAsync(Path.Combine(Azurite.RepositoryRoot(), "docs", "README.md"));

        Assert.All(Operations(document), op => Assert.Contains($"{op.Method} {op.Path}", reference, StringComparison.Ordinal));
        var rules = typeof(ImportRule).GetFields(BindingFlags.Public | BindingFlags.Static).Where(f => f.IsLiteral).Select(f => (string)f.GetRawConstantValue()!).ToList();
        Assert.True(rules.Count >= 15, $"only {rules.Count} import rules found");
        Assert.All(rules, rule => Assert.Contains($"`{rule}`", reference, StringComparison.Ordinal));
        Assert.Contains("(rest.md)", index);
        Assert.DoesNotContain("shared/API.md", reference + index);
    }
}
