using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Stratum.Gateway.Http.OpenApi;

/// <summary>
/// Makes each schema say what <see cref="ContractJson"/> really writes and reads, where the
/// generator cannot see it through our converters: enums as their contract names (error codes as
/// numbers), int64 as decimal strings, timestamps as RFC 3339 strings, and fields left out when
/// null as not required.
/// </summary>
public sealed class ContractSchemas : IOpenApiSchemaTransformer
{
    public Task TransformAsync(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken cancellationToken)
    {
        var type = context.JsonTypeInfo.Type;
        var underlying = Nullable.GetUnderlyingType(type);
        var nullable = underlying is not null ? JsonSchemaType.Null : 0;
        type = underlying ?? type;
        if (type.IsEnum)
        {
            DescribeEnum(schema, type, nullable);
        }
        else if (type == typeof(long))
        {
            schema.Type = JsonSchemaType.String | JsonSchemaType.Integer | nullable;
            schema.Format = "int64";
            schema.Pattern = "^-?[0-9]+$";
            schema.Description ??= "A 64-bit integer, written as a decimal string; a JSON number is accepted too.";
        }
        else if (type == typeof(DateTimeOffset))
        {
            schema.Type = JsonSchemaType.String | nullable;
            schema.Format = "date-time";
        }
        else if (type == typeof(JsonElement))
        {
            // The times of :deprecate, where null (clear it) differs from absent (keep it).
            schema.Type = JsonSchemaType.String | JsonSchemaType.Null;
            schema.Format = "date-time";
            schema.Description = "An RFC 3339 time in the future that schedules the change, or null to clear what is scheduled; absent keeps it.";
        }
        else if (type == typeof(object) && context.JsonPropertyInfo?.Name == "response")
        {
            schema.Description = "The resource the operation created or changed when it succeeded (an Image, Folder, Disk, Snapshot, Instance, "
                + "or the bulk create's result); {} for deletes and access binding changes.";
        }
        if (schema.Properties is { Count: > 0 })
        {
            foreach (var property in context.JsonTypeInfo.Properties)
            {
                if (property.AttributeProvider?.IsDefined(typeof(RequiredAttribute), inherit: true) == true)
                {
                    (schema.Required ??= new HashSet<string>()).Add(property.Name);   // a body field the request must carry
                }
                else if (property.IsGetNullable || Nullable.GetUnderlyingType(property.PropertyType) is not null)
                {
                    schema.Required?.Remove(property.Name);   // ContractJson leaves out null fields: one that may be null may be absent
                }
            }
        }
        return Task.CompletedTask;
    }

    private static void DescribeEnum(OpenApiSchema schema, Type type, JsonSchemaType nullable)
    {
        // Each value as ContractJson writes it: the one truth of the spelling.
        var values = Enum.GetValues(type).Cast<object>().Select(v => JsonNode.Parse(JsonSerializer.Serialize(v, type, ContractJson.Options))!).ToList();
        schema.Type = (values[0].GetValueKind() == JsonValueKind.Number ? JsonSchemaType.Integer : JsonSchemaType.String) | nullable;
        schema.Enum = values;
    }
}
