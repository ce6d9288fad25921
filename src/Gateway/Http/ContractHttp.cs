using Microsoft.AspNetCore.Http.Json;

using Stratum.Gateway.Http.OpenApi;

namespace Stratum.Gateway.Http;

/// <summary>The HTTP edge's contract conventions in one call: JSON, routing of custom methods, the OpenAPI document.</summary>
public static class ContractHttp
{
    public static IServiceCollection AddContractHttp(this IServiceCollection services)
    {
        services.Configure<JsonOptions>(o => ContractJson.Configure(o.SerializerOptions));
        services.Configure<RouteOptions>(CustomMethods.AddConstraint);
        // A query value the framework cannot bind (pageSize=many) is thrown, so it gets the contract's error body
        // naming the parameter, in every environment (the default throws in Development only).
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        services.AddOpenApi(o =>
        {
            o.AddDocumentTransformer<ContractDocument>();
            o.AddSchemaTransformer<ContractSchemas>();
            o.AddOperationTransformer<ContractParameters>();
        });
        return services;
    }
}
