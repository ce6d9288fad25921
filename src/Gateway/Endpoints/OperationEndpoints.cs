using Stratum.Gateway.Auth;
using Stratum.Gateway.Http;

namespace Stratum.Gateway.Endpoints;

/// <summary>Operations: read one, or ask it to stop.</summary>
public static class OperationEndpoints
{
    public static void Map(RouteGroupBuilder api)
    {
        var operations = api.MapGroup("/operations").WithTags("Operations");
        operations.MapGet("/{operationId}", async (string operationId, HttpContext http, IGrainFactory grains) =>
            Results.Json(await Operation(grains, new ResourcePath(operationId, null)).GetAsync(http.Caller()), ContractJson.Options))
            .Produces<Operation>();
        operations.MapPost("/{resource}", async (string resource, HttpContext http, IGrainFactory grains) =>
        {
            var path = ResourcePath.Parse(resource);
            return path.Method == "cancel"
                ? Results.Json(await Operation(grains, path).CancelAsync(http.Caller()), ContractJson.Options)
                : throw path.UnknownMethod();
        }).Produces<Operation>();
    }

    private static IOperationGrain Operation(IGrainFactory grains, ResourcePath path) =>
        grains.GetGrain<IOperationGrain>(path.Require(id => ResourceIds.IsValid(id, ResourceIds.Operation), "operation"));
}
