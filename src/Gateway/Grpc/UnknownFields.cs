using Google.Protobuf;
using Google.Protobuf.Reflection;
using Grpc.Core;

namespace Stratum.Gateway.Grpc;

/// <summary>
/// Refuses a mutation that carries a field this server does not declare (a newer SDK's field, or
/// one of the provider's that Stratum does not serve): UNIMPLEMENTED naming the field, instead of
/// silently doing less than asked. The request's bytes are walked against its descriptor, nested
/// messages included (the parser keeps unknown fields, so they are still in the bytes).
/// </summary>
public static class UnknownFields
{
    public static void Refuse(IMessage request, ServerCallContext context)
    {
        if (Find(request.Descriptor, request.ToByteString(), request.Descriptor.FullName) is { } field)
        {
            throw GrpcErrors.Unimplemented(
                $"{field} is not served by Stratum; only the fields its .proto files declare are (see server reflection).", context);
        }
    }

    private static string? Find(MessageDescriptor descriptor, ByteString bytes, string path)
    {
        var input = bytes.CreateCodedInput();
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            var number = WireFormat.GetTagFieldNumber(tag);
            var field = descriptor.FindFieldByNumber(number);
            if (field is null)
            {
                return $"Field number {number} of {path}";
            }
            if (field.FieldType == FieldType.Message && !field.IsMap && WireFormat.GetTagWireType(tag) == WireFormat.WireType.LengthDelimited)
            {
                if (Find(field.MessageType, input.ReadBytes(), $"{path}.{field.Name}") is { } nested)
                {
                    return nested;
                }
            }
            else
            {
                input.SkipLastField();
            }
        }
        return null;
    }
}
