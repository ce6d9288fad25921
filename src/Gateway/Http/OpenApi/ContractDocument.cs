using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Stratum.Gateway.Http.OpenApi;

/// <summary>
/// The document as a whole: what the API is, and its one security scheme, a bearer token, which
/// every operation the document describes requires (health checks and the document itself are not in it).
/// </summary>
public sealed class ContractDocument : IOpenApiDocumentTransformer
{
    public const string BearerScheme = "bearer";

    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Info = new OpenApiInfo
        {
            Title = "Stratum API",
            Version = "v1",
            Description = "VM images, families, sharing, quotas, disks, snapshots and instances, in the REST shape of a public cloud's Compute API. "
                + "Every mutation returns an Operation; every refusal is an ErrorBody. The reference with examples is docs/rest.md in the repository.",
        };
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes[BearerScheme] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            Description = "Authorization: Bearer <token>. Development accepts dev-admin, dev-alice and dev-bob; otherwise a JWT whose `sub` is the user.",
        };
        document.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(BearerScheme, document)] = [] }];
        return Task.CompletedTask;
    }
}
