using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using CsCheck;

namespace Stratum.Tests.Gateway.Fuzz;

/// <summary>One generated request: what to send, and which operation of the document it aims at.</summary>
public sealed record FuzzRequest(string OperationId, string Method, string Path, string? Token, string? ContentType, string? Body, IReadOnlyList<KeyValuePair<string, string>> Headers)
{
    public bool IsWatch => OperationId == "WatchFamily";

    public override string ToString()
    {
        var body = Body is null ? "" : $" body({Body.Length}): {(Body.Length > 300 ? Body[..300] + "…" : Body)}";
        var headers = string.Join(" ", Headers.Select(h => $"{h.Key}: {(h.Value.Length > 40 ? h.Value[..40] + "…" : h.Value)}"));
        return $"{OperationId}: {Method} {(Path.Length > 300 ? Path[..300] + "…" : Path)} token={Token ?? "-"} type={ContentType ?? "-"} {headers}{body}";
    }
}

/// <summary>The real resources a fuzz run may name, beside the ids and text it makes up.</summary>
public sealed record FuzzTargets(string FolderId, string ImageId, string DiskId, string SnapshotId, string InstanceId, string OperationId, string Family);

/// <summary>
/// Generates requests for every operation of an OpenAPI document: ids real, unknown and malformed;
/// query values right, wrong and absent; headers and tokens of every sort; bodies built from the
/// operation's schema with wrong types, unknown fields, values out of range, or no JSON at all.
/// </summary>
public sealed class FuzzRequests(JsonNode document, FuzzTargets targets)
{
    private readonly JsonObject _schemas = document["components"]!["schemas"]!.AsObject();

    private static readonly string[] BadText =
    [
        "", " ", "-1", "0", "1001", "abc", "99999999999999999999", "' OR 1=1 --", "name = ", "name IN (", "name = 'x' AND", "id desc desc",
        "%00", "\u2603\u00e9", "null", "true", "[]", "{}", "\\", "..", "../../etc/passwd", new string('x', 3000), "a:b", "UPPER", "img", "fld",
    ];

    private static readonly string[] Uris =
    [
        "file:///etc/passwd", "http://169.254.169.254/latest/meta-data/", "ftp://127.0.0.1/x", "not a url", "http://example.com/disk.qcow2",
        "http://[::ffff:169.254.169.254]/", "gopher://127.0.0.1:70/", "http://127.0.0.1:1/unreachable.raw", "",
    ];

    public Gen<FuzzRequest> Requests()
    {
        var operations = document["paths"]!.AsObject()
            .SelectMany(path => path.Value!.AsObject().Select(o => (Path: path.Key, Method: o.Key.ToUpperInvariant(), Operation: o.Value!.AsObject())))
            .ToList();
        return Gen.Int[0, operations.Count - 1].SelectMany(i => Request(operations[i].Path, operations[i].Method, operations[i].Operation));
    }

    private Gen<FuzzRequest> Request(string template, string method, JsonObject operation)
    {
        var parameters = operation["parameters"]?.AsArray().Select(p => p!.AsObject()).ToList() ?? [];
        var hasBody = operation["requestBody"] is not null;
        var path = Path(template);
        var query = Query(parameters.Where(p => p["in"]!.GetValue<string>() == "query").ToList());
        var headers = Headers(parameters.Where(p => p["in"]!.GetValue<string>() == "header").Select(p => p["name"]!.GetValue<string>()).ToList());
        var body = hasBody
            ? Body(operation["requestBody"]!["content"]!["application/json"]!["schema"]!)
            : Pick((9, Gen.Const((string?)null)), (1, Body(new JsonObject())));
        var contentType = Pick(
            (10, Gen.Const<string?>("application/json")), (3, Gen.Const((string?)null)), (1, Gen.Const<string?>("application/json; charset=utf-8")),
            (1, Gen.Const<string?>("text/plain")), (1, Gen.Const<string?>("application/x-www-form-urlencoded")), (1, Gen.Const<string?>("application/json; charset=utf-16")),
            (1, Gen.Const<string?>("application/merge-patch+json")), (1, Gen.Const<string?>("garbage")), (1, Gen.Const<string?>("*/*")));
        var token = Pick(
            (30, Gen.Const<string?>("Bearer dev-admin")), (5, Gen.Const<string?>("Bearer dev-bob")), (2, Gen.Const((string?)null)),
            (1, Gen.Const<string?>("Bearer nope")), (1, Gen.Const<string?>("Basic ZGV2LWFkbWluOg==")), (1, Gen.Const<string?>("Bearer ")),
            (1, Gen.Const<string?>("bearer dev-admin")), (1, Gen.Const<string?>("Bearer eyJhbGciOiJub25lIn0.e30.")));
        var id = operation["operationId"]!.GetValue<string>();
        return Gen.Select(path, query, headers, body, contentType, token, (p, q, h, b, c, t) =>
            // Kestrel refuses a request line over 8 KiB before the API sees it (414, no body): stay below.
            new FuzzRequest(id, method, q.Length == 0 || p.Length + q.Length > 6000 ? p : $"{p}?{q}", t, b is null ? null : c, b, h));
    }

    private Gen<string> Path(string template)
    {
        var parts = template.Split('/');
        var gens = parts.Select(part =>
        {
            var open = part.IndexOf('{');
            if (open < 0)
            {
                return Gen.Const(part);
            }
            var close = part.IndexOf('}');
            var (before, name, after) = (part[..open], part[(open + 1)..close], part[(close + 1)..]);
            return Id(name).Select(value => before + Uri.EscapeDataString(value) + after);
        }).ToList();
        return gens.Aggregate(Gen.Const(""), (path, part) => Gen.Select(path, part, (a, b) => a.Length == 0 && b.Length == 0 ? "" : $"{a}/{b}"))
            .Select(p => "/" + p.TrimStart('/'));
    }

    /// <summary>A value for an id: a real one of the right kind, an unknown well-formed one, one of another kind, or text that is no id.</summary>
    private Gen<string> Id(string name)
    {
        var (real, prefix) = name switch
        {
            "folderId" => (targets.FolderId, "fld"),
            "imageId" => (targets.ImageId, "img"),
            "diskId" => (targets.DiskId, "dsk"),
            "snapshotId" => (targets.SnapshotId, "snp"),
            "instanceId" => (targets.InstanceId, "ins"),
            "operationId" => (targets.OperationId, "opr"),
            "layerId" => ("lyr" + new string('0', 17), "lyr"),
            _ => (targets.DiskId, "dsk"),
        };
        var unknown = Gen.String[Gen.Char["abcdefghijklmnopqrstuvwxyz0123456789"], 17, 17].Select(s => prefix + s);
        var others = Gen.OneOf(targets.FolderId, targets.ImageId, targets.DiskId, targets.InstanceId, targets.OperationId, "standard-images");
        return Pick((5, Gen.Const(real)), (2, unknown), (2, others), (3, Gen.OneOf(BadText)), (1, Gen.String[0, 40]));
    }

    private Gen<string> Query(List<JsonObject> parameters)
    {
        var pairs = parameters.Select(p =>
        {
            var name = p["name"]!.GetValue<string>();
            var good = name switch
            {
                "folderId" => Gen.OneOf(targets.FolderId, "standard-images"),
                "family" => Gen.OneOf(targets.Family, "nope", "web"),
                "pageSize" => Gen.OneOf("1", "10", "1000", "0"),
                "view" => Gen.OneOf("DEFAULT", "RECYCLE_BIN"),
                "orderBy" => Gen.OneOf("id asc", "name asc", "createdAt desc", "name"),
                "filter" => Gen.OneOf("name = 'x'", "status IN ('READY', 'ERROR')", "pooled = true", "id != \"y\""),
                "lastEventId" => Gen.OneOf("0", "1", "5"),
                _ => Gen.OneOf("host-1", "zone-a"),
            };
            var value = Pick((4, Gen.Const((string?)null)), (3, good.Select(v => (string?)v)), (3, Gen.OneOf(BadText).Select(v => (string?)v)), (1, Gen.String[0, 20].Select(v => (string?)v)));
            return value.Select(v => v is null ? null : $"{name}={Uri.EscapeDataString(v)}");
        }).ToList();
        var extra = Pick((8, Gen.Const((string?)null)), (1, Gen.Const<string?>("unknown=1")), (1, Gen.Const<string?>("pageSize=1&pageSize=2")), (1, Gen.Const<string?>("folderId")));
        return pairs.Append(extra).Aggregate(Gen.Const(""), (query, pair) => Gen.Select(query, pair, (q, p) => p is null ? q : q.Length == 0 ? p : $"{q}&{p}"));
    }

    private static Gen<IReadOnlyList<KeyValuePair<string, string>>> Headers(List<string> documented)
    {
        var key = Pick((6, Gen.Const((string?)null)), (2, Gen.String[Gen.Char.AlphaNumeric, 1, 20].Select(s => (string?)("k-" + s))),
            (1, Gen.Const<string?>(new string('k', 200))), (1, Gen.Const<string?>("")), (1, Gen.Const<string?>(" ")));
        var lastEvent = Pick((6, Gen.Const((string?)null)), (1, Gen.Const<string?>("-1")), (1, Gen.Const<string?>("abc")),
            (1, Gen.Const<string?>("99999999999999999999")), (1, Gen.Const<string?>("2")));
        return Gen.Select(key, lastEvent, (k, e) =>
        {
            var headers = new List<KeyValuePair<string, string>>();
            if (k is not null && documented.Contains("Idempotency-Key"))
            {
                headers.Add(new("Idempotency-Key", k));
            }
            if (e is not null && documented.Contains("Last-Event-ID"))
            {
                headers.Add(new("Last-Event-ID", e));
            }
            return (IReadOnlyList<KeyValuePair<string, string>>)headers;
        });
    }

    private Gen<string?> Body(JsonNode schema)
    {
        var fromSchema = Value(schema, "", 0).Select(v => (string?)(v?.ToJsonString() ?? "null"));
        var malformed = Gen.OneOf<string?>("{", "[", "{\"a\":", "nul", "{}}", "\"unterminated", "{\"folderId\":\"x\",}", "\u0000", "{'a':1}");
        var notAnObject = Gen.OneOf<string?>("[]", "1", "\"s\"", "null", "true", "[{}]");
        var deep = Gen.Const<string?>(new string('[', 300) + new string(']', 300));
        var huge = Gen.Const<string?>("{\"description\":\"" + new string('d', 1_100_000) + "\"}");
        return Pick((14, fromSchema), (2, malformed), (2, notAnObject), (1, Gen.Const<string?>("")), (1, deep), (1, Pick((9, fromSchema), (1, huge))));
    }

    /// <summary>A JSON value for a schema: mostly of the right shape, sometimes of another, with the field's name steering strings toward what it holds.</summary>
    private Gen<JsonNode?> Value(JsonNode schema, string field, int depth)
    {
        if (schema["$ref"]?.GetValue<string>() is { } reference)
        {
            schema = _schemas[reference.Split('/')[^1]]!;
        }
        if (schema["oneOf"] is JsonArray oneOf)
        {
            return Any([.. oneOf.Select(s => Value(s!, field, depth))]);
        }
        var wrong = Gen.OneOf<JsonNode?>(null, JsonValue.Create(12), JsonValue.Create("x"), JsonValue.Create(true), new JsonArray(), new JsonObject(), JsonValue.Create(-1.5));
        Gen<JsonNode?> right;
        if (schema["enum"] is JsonArray values)
        {
            right = Pick((4, Gen.OneOf(values.Select(v => v?.DeepClone()).ToArray())), (1, Gen.OneOf<JsonNode?>(JsonValue.Create("NOPE"), JsonValue.Create("ready"), JsonValue.Create(1))));
        }
        else if (Types(schema).Contains("object") || schema["properties"] is not null)
        {
            right = depth > 4 ? Gen.Const<JsonNode?>(new JsonObject()) : Object(schema, depth);
        }
        else if (Types(schema).Contains("array"))
        {
            right = depth > 4 ? Gen.Const<JsonNode?>(new JsonArray()) : Value(schema["items"] ?? new JsonObject(), field, depth + 1).Array[0, 3]
                .Select(items => (JsonNode?)new JsonArray([.. items.Select(i => i?.DeepClone())]));
        }
        else if (schema["format"]?.GetValue<string>() == "int64" || Types(schema).Contains("integer"))
        {
            right = Gen.OneOf<JsonNode?>(JsonValue.Create(0), JsonValue.Create(1), JsonValue.Create(3), JsonValue.Create(-1), JsonValue.Create(100), JsonValue.Create(1001),
                JsonValue.Create(4194304), JsonValue.Create("10737418240"), JsonValue.Create(long.MaxValue), JsonValue.Create("-7"), JsonValue.Create("12a"),
                JsonNode.Parse("1e400"), JsonNode.Parse("4.5"), JsonValue.Create(int.MaxValue + 1L));
        }
        else if (Types(schema).Contains("boolean"))
        {
            right = Gen.OneOf<JsonNode?>(JsonValue.Create(true), JsonValue.Create(false));
        }
        else if (schema["format"]?.GetValue<string>() == "date-time")
        {
            right = Gen.OneOf<JsonNode?>(JsonValue.Create("2030-01-02T03:04:05Z"), JsonValue.Create("2001-01-01T00:00:00Z"), JsonValue.Create("2030-13-45T99:00:00Z"),
                JsonValue.Create("tomorrow"), JsonValue.Create("2030-01-02"), null);
        }
        else
        {
            right = Text(field).Select(s => (JsonNode?)JsonValue.Create(s));
        }
        return Pick((6, right), (1, wrong));
    }

    private Gen<JsonNode?> Object(JsonNode schema, int depth)
    {
        var properties = schema["properties"]?.AsObject().Select(p => (p.Key, Value(p.Value!, p.Key, depth + 1))).ToList() ?? [];
        if (schema["additionalProperties"] is JsonObject additional && properties.Count == 0)
        {
            // A map such as labels: made-up keys, some of them breaking the key rules.
            var key = Gen.OneOf("env", "Key", "k", "a/b", "", new string('k', 70), "\u00e9");
            return Gen.Select(key, Value(additional, "label", depth + 1), (k, v) => (k, v)).Array[0, 4]
                .Select(entries => (JsonNode?)new JsonObject(entries.DistinctBy(e => e.k).Select(e => KeyValuePair.Create(e.k, e.v?.DeepClone()))));
        }
        var included = properties.Select(p => Pick((3, p.Item2.Select(v => (p.Key, Value: v, Present: true))), (2, Gen.Const<(string Key, JsonNode? Value, bool Present)>((p.Key, null, false))))).ToList();
        var unknown = Pick((5, Gen.Const((string?)null)), (1, Gen.OneOf<string?>("colour", "FolderId", "folder_id", "__proto__")));
        return included.Aggregate(Gen.Const(new List<(string, JsonNode?, bool)>()), (all, one) => Gen.Select(all, one, (list, item) => { list = [.. list, item]; return list; }))
            .Select(unknown, (fields, extra) =>
            {
                var json = new JsonObject();
                foreach (var (name, value, present) in fields.Where(f => f.Item3))
                {
                    json[name] = value?.DeepClone();
                }
                if (extra is not null)
                {
                    json[extra] = "surprise";
                }
                return (JsonNode?)json;
            });
    }

    private Gen<string> Text(string field) => field switch
    {
        "folderId" => Pick((3, Gen.Const(targets.FolderId)), (1, Gen.OneOf(BadText)), (1, Gen.Const("standard-images"))),
        "imageId" or "replacement" => Pick((3, Gen.Const(targets.ImageId)), (1, Gen.OneOf(BadText)), (1, Gen.Const("img" + new string('a', 17)))),
        "diskId" => Pick((3, Gen.Const(targets.DiskId)), (1, Gen.OneOf(BadText))),
        "snapshotId" => Pick((3, Gen.Const(targets.SnapshotId)), (1, Gen.OneOf(BadText))),
        "uploadId" => Gen.OneOf("upl" + new string('a', 17), "", "nope"),
        "uri" => Gen.OneOf(Uris),
        "name" or "namePrefix" or "family" => Gen.OneOf("web", "ok-name", "Bad", "a", "", new string('a', 70), "ends-", "x_y", targets.Family),
        "roleId" => Gen.OneOf("viewer", "editor", "admin", "compute.images.user", "owner", ""),
        "id" => Gen.OneOf("bob", "alice", "allAuthenticatedUsers", "allUsers", "", "admin"),
        _ => Pick((2, Gen.OneOf(BadText)), (2, Gen.String[Gen.Char.AlphaNumeric, 0, 30]), (1, Gen.String[0, 10])),
    };

    // CsCheck's Frequency and OneOf take values or generators; these name the generator overloads.
    private static Gen<T> Pick<T>(params (int Weight, Gen<T> Gen)[] choices) => Gen.Frequency(choices.Select(c => (c.Weight, (IGen<T>)c.Gen)).ToArray());

    private static Gen<T> Any<T>(Gen<T>[] choices) => Gen.OneOf(choices.Select(c => (IGen<T>)c).ToArray());

    private static HashSet<string> Types(JsonNode schema) => schema["type"] switch
    {
        JsonArray many => [.. many.Select(t => t!.GetValue<string>())],
        JsonValue one => [one.GetValue<string>()],
        _ => [],
    };

    /// <summary>Percent-escapes a header value to ASCII, as HttpClient refuses anything else.</summary>
    public static string Ascii(string value)
    {
        var builder = new StringBuilder(value.Length);
        foreach (var c in value)
        {
            builder.Append(c is >= ' ' and < (char)127 ? c.ToString() : "%" + ((int)c).ToString("X2", CultureInfo.InvariantCulture));
        }
        return builder.ToString();
    }
}
