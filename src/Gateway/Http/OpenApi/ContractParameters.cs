using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Mvc.ApiExplorer;
using Microsoft.AspNetCore.Mvc.Infrastructure;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Stratum.Gateway.Http.OpenApi;

/// <summary>
/// Query and header parameters as the handlers read them: bound as text (so that our checks, not
/// the binder, word the refusals), their attributes say what the text must be: <c>[Required]</c>,
/// <c>[AllowedValues]</c> for enums such as <c>view</c>, <c>[ReadAs]</c> for numbers such as <c>pageSize</c>.
/// </summary>
public sealed class ContractParameters : IOpenApiOperationTransformer
{
    public async Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        foreach (var description in context.Description.ParameterDescriptions)
        {
            if (operation.Parameters?.OfType<OpenApiParameter>().FirstOrDefault(p => p.Name == description.Name) is not { } parameter)
            {
                continue;
            }
            var attributes = Attributes(description);
            if (attributes.OfType<RequiredAttribute>().Any())
            {
                parameter.Required = true;
            }
            if (parameter.Schema is not OpenApiSchema schema)
            {
                continue;
            }
            if (attributes.OfType<AllowedValuesAttribute>().FirstOrDefault() is { } allowed)
            {
                schema.Enum = [.. allowed.Values.Select(v => (JsonNode)JsonValue.Create(v?.ToString())!)];
            }
            if (attributes.OfType<Endpoints.ReadAsAttribute>().FirstOrDefault() is { } readAs)
            {
                var typed = await context.GetOrCreateSchemaAsync(readAs.Type, null, cancellationToken);
                (schema.Type, schema.Format) = (typed.Type, typed.Format);
                schema.Default = readAs.Default is { } value ? JsonSerializer.SerializeToNode(value) : null;
            }
        }
    }

    private static IReadOnlyList<Attribute> Attributes(ApiParameterDescription description) =>
        description.ParameterDescriptor is IParameterInfoParameterDescriptor { ParameterInfo: var info }
            ? [.. info.GetCustomAttributes(inherit: true).OfType<Attribute>()]
            : [];
}
