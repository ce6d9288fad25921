using System.Text.RegularExpressions;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Grpc.Core;
using Stratum.Tests.Infrastructure;

namespace Stratum.Tests.Grpc;

/// <summary>
/// docs/grpc.md against the served API: every grpcurl example names a method the server has and
/// sends JSON its request message reads (field and enum names, times, masks), and every rpc of the
/// .proto files in src/Gateway is described with its service (and nothing the files do not declare).
/// </summary>
public sealed partial class GrpcDocsTests
{
    private static readonly IReadOnlyList<ServiceDescriptor> Services =
    [
        .. Yandex.Cloud.Compute.V1.ImageServiceReflection.Descriptor.Services,
        .. Yandex.Cloud.Compute.V1.DiskServiceReflection.Descriptor.Services,
        .. Yandex.Cloud.Compute.V1.SnapshotServiceReflection.Descriptor.Services,
        .. Yandex.Cloud.Compute.V1.InstanceServiceReflection.Descriptor.Services,
        .. Yandex.Cloud.Operation.OperationServiceReflection.Descriptor.Services,
        .. Stratum.Grpc.Compute.V1.ImageServiceReflection.Descriptor.Services,
        .. Stratum.Grpc.Compute.V1.FolderServiceReflection.Descriptor.Services,
        .. Stratum.Grpc.Compute.V1.LayerServiceReflection.Descriptor.Services,
    ];

    private static string Docs => File.ReadAllText(Path.Combine(Azurite.RepositoryRoot(), "docs", "grpc.md"));

    [Fact]
    public void Every_grpcurl_example_calls_a_served_method_with_json_its_request_reads()
    {
        var calls = GrpcurlCall().Matches(Docs.Replace("\\\n", " ", StringComparison.Ordinal));
        Assert.True(calls.Count >= 10, $"only {calls.Count} grpcurl calls with a body found");
        foreach (Match call in calls)
        {
            var (service, method, json) = (call.Groups["service"].Value, call.Groups["method"].Value, call.Groups["json"].Value);
            var descriptor = Services.FirstOrDefault(s => s.FullName == service)?.FindMethodByName(method);
            Assert.True(descriptor is not null, $"{service}/{method} is not a served method");
            var parsed = JsonParser.Default.Parse(json, descriptor.InputType);
            Assert.NotEqual(0, parsed.CalculateSize());
        }
    }

    [Fact]
    public void Every_rpc_of_the_proto_files_is_described_with_its_service()
    {
        var docs = Docs;
        var declared = DeclaredServices();
        // The parser must see what the compiler saw, or a method it misses would go unchecked.
        foreach (var service in Services)
        {
            Assert.True(declared.TryGetValue(service.FullName, out var methods), $"{service.FullName} not found in src/Gateway/Protos");
            Assert.Equal(service.Methods.Select(m => m.Name).Order(), methods.Order());
        }
        foreach (var (service, methods) in declared)
        {
            var described = DescribedMethods(docs, service);
            Assert.True(described is not null, $"docs/grpc.md has no row or section naming `{service}`");
            foreach (var method in methods)
            {
                Assert.True(described.Contains(method), $"docs/grpc.md does not describe {service}/{method}");
            }
            foreach (var method in described)
            {
                Assert.True(methods.Contains(method), $"docs/grpc.md describes {service}/{method}, which the .proto files do not declare");
            }
        }
    }

    [Fact]
    public void Every_error_code_is_in_the_table_with_its_grpc_name()
    {
        var docs = Docs;
        foreach (var code in Enum.GetValues<ErrorCode>().Select(c => (int)c).Append((int)StatusCode.Unimplemented))
        {
            var name = UpperSnake().Replace(((StatusCode)code).ToString(), "$1_$2").ToUpperInvariant();
            Assert.True(docs.Contains($"| {code} | {name} |", StringComparison.Ordinal), $"docs/grpc.md's error table has no row \"| {code} | {name} |\"");
        }
    }

    /// <summary>Every service of the .proto files under src/Gateway (package-qualified) and its rpcs.</summary>
    private static Dictionary<string, List<string>> DeclaredServices()
    {
        var services = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var file in Directory.EnumerateFiles(Path.Combine(Azurite.RepositoryRoot(), "src", "Gateway"), "*.proto", SearchOption.AllDirectories)
                     .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)))
        {
            var text = LineComment().Replace(File.ReadAllText(file), "");
            var package = ProtoPackage().Match(text).Groups["name"].Value;
            foreach (Match service in ProtoService().Matches(text))
            {
                services.Add($"{package}.{service.Groups["name"].Value}", [.. ProtoRpc().Matches(service.Groups["body"].Value).Select(m => m.Groups["name"].Value)]);
            }
        }
        Assert.NotEmpty(services);
        return services;
    }

    /// <summary>
    /// The methods the docs give a service: the list in its table row ("| `pkg.Service` | Get, List |"),
    /// or the rows of the table under its heading ("#### `pkg.Service`", then "| Get `{…}` | …").
    /// </summary>
    private static HashSet<string>? DescribedMethods(string docs, string service)
    {
        var lines = docs.Split('\n');
        var row = lines.FirstOrDefault(l => l.StartsWith($"| `{service}` |", StringComparison.Ordinal));
        if (row is not null)
        {
            return [.. row.Split('|', StringSplitOptions.RemoveEmptyEntries)[1].Split(',').Select(m => m.Trim())];
        }
        var heading = Array.FindIndex(lines, l => l.StartsWith('#') && l.Contains($"`{service}`", StringComparison.Ordinal));
        if (heading < 0)
        {
            return null;
        }
        return [.. lines.Skip(heading + 1).TakeWhile(l => !l.StartsWith('#'))
            .Select(l => MethodRow().Match(l)).Where(m => m.Success).Select(m => m.Groups["name"].Value)];
    }

    [GeneratedRegex("([a-z])([A-Z])")]
    private static partial Regex UpperSnake();

    [GeneratedRegex(@"//[^\n]*")]
    private static partial Regex LineComment();

    [GeneratedRegex(@"^package\s+(?<name>[\w.]+)\s*;", RegexOptions.Multiline)]
    private static partial Regex ProtoPackage();

    // Service bodies hold rpcs with option blocks ({ option … ; }) but no deeper nesting.
    [GeneratedRegex(@"^service\s+(?<name>\w+)\s*\{(?<body>(?:[^{}]|\{[^{}]*\})*)\}", RegexOptions.Multiline)]
    private static partial Regex ProtoService();

    [GeneratedRegex(@"\brpc\s+(?<name>\w+)\s*\(")]
    private static partial Regex ProtoRpc();

    // "| Rollout `{image_id, percent, steps}` | …"
    [GeneratedRegex(@"^\| (?<name>[A-Z]\w*) `")]
    private static partial Regex MethodRow();

    // grpcurl … -d '<json>' … <host:port> <package.Service>/<Method>
    [GeneratedRegex(@"-d '(?<json>[^']*)'[^\n]*?\s(?<service>[a-z]+(?:\.[a-z0-9]+)+\.[A-Za-z]+)/(?<method>[A-Za-z]+)")]
    private static partial Regex GrpcurlCall();
}
