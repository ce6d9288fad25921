using System.Text.Json;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Google.Protobuf.WellKnownTypes;
using Stratum.Gateway.Http;
using Yandex.Cloud.Access;
using ProviderOperation = Yandex.Cloud.Operation.Operation;

namespace Stratum.Gateway.Grpc;

/// <summary>
/// Stratum's operations as the provider's: the metadata is the message its <c>@type</c> names, made
/// from the other metadata entries (its fields, camelCase, as the provider's REST API writes them);
/// the response is the resource (an instance in its FULL view; Stratum's <c>ImageDetails</c> for
/// a deprecation, rollout or restore), <c>google.protobuf.Empty</c> for a delete, <c>AccessBindingsOperationResult</c> for access bindings. What has no message here (a
/// folder's operation, a bulk create) is packed as a <c>google.protobuf.Struct</c> of its REST JSON.
/// </summary>
public static class OperationMessages
{
    private static readonly TypeRegistry Types = TypeRegistry.FromFiles(
        Yandex.Cloud.Compute.V1.ImageServiceReflection.Descriptor,
        Yandex.Cloud.Compute.V1.DiskServiceReflection.Descriptor,
        Yandex.Cloud.Compute.V1.SnapshotServiceReflection.Descriptor,
        Yandex.Cloud.Compute.V1.InstanceServiceReflection.Descriptor,
        AccessReflection.Descriptor,
        Stratum.Grpc.Compute.V1.ImageServiceReflection.Descriptor);

    private static readonly JsonParser Parser = new(JsonParser.Settings.Default.WithTypeRegistry(Types).WithIgnoreUnknownFields(true));

    public static ProviderOperation ToMessage(Operation operation)
    {
        var message = new ProviderOperation
        {
            Id = operation.Id,
            Description = operation.Description,
            CreatedAt = Timestamp.FromDateTimeOffset(operation.CreatedAt),
            CreatedBy = operation.CreatedBy,
            ModifiedAt = Timestamp.FromDateTimeOffset(operation.ModifiedAt),
            Done = operation.Done,
            Metadata = Metadata(operation.Metadata),
        };
        if (operation.Error is { } error)
        {
            message.Error = new Google.Rpc.Status { Code = (int)error.Code, Message = error.Message };
        }
        else if (operation.Done)
        {
            message.Response = Response(operation);
        }
        return message;
    }

    private static Any Metadata(IReadOnlyDictionary<string, string> metadata)
    {
        if (metadata.TryGetValue(OperationTypes.Key, out var type) && Types.Find(type[OperationTypes.UrlPrefix.Length..]) is not null)
        {
            // The JSON form of an Any: "@type" and the message's fields.
            return Parser.Parse<Any>(JsonSerializer.Serialize(metadata));
        }
        return Any.Pack(AsStruct(metadata.Where(m => m.Key != OperationTypes.Key).ToDictionary()));
    }

    private static Any Response(Operation operation)
    {
        var type = operation.Metadata.GetValueOrDefault(OperationTypes.Key);
        return operation.Response switch
        {
            // Stratum's own methods answer with Stratum's view of the image.
            Image image when type is OperationTypes.DeprecateImage or OperationTypes.RolloutImage or OperationTypes.RestoreImage => Any.Pack(StratumMessages.ToDetails(image)),
            Image image => Any.Pack(ResourceMessages.ToMessage(image)),
            Disk disk => Any.Pack(ResourceMessages.ToMessage(disk)),
            Snapshot snapshot => Any.Pack(ResourceMessages.ToMessage(snapshot)),
            Instance instance => Any.Pack(ResourceMessages.ToMessage(instance, full: true)),
            // Which bindings changed is not recorded; the result says the call succeeded.
            EmptyResponse when type is OperationTypes.SetAccessBindings or OperationTypes.UpdateAccessBindings => Any.Pack(new AccessBindingsOperationResult()),
            EmptyResponse or null => Any.Pack(new Empty()),
            var other => Any.Pack(AsStruct(other)),
        };
    }

    private static Struct AsStruct(object value) => Struct.Parser.ParseJson(JsonSerializer.Serialize(value, value.GetType(), ContractJson.Options));
}
