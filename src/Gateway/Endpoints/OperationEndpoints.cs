using Stratum.Gateway.Auth;
using Stratum.Gateway.Http;

namespace Stratum.Gateway.Endpoints;

/// <summary>Operations: read one, or ask it to stop.</summary>
public static class OperationEndpoints
{
    public static void Map(RouteGroupBuilder api)
    {
        var operations = api.MapGroup("/operations").WithTags("Operations");
        operations.MapGet("/{operationId:plain}", async (string operationId, HttpContext http, IGrainFactory grains) =>
            TypedResults.Ok(await Operation(grains, operationId).GetAsync(http.Caller())))
            .WithName("GetOperation").WithSummary("Get an operation")
            .WithDescription("Poll it until `done`; then it carries exactly one of `error` or `response`. Its creator and those who may read its resource see it.");
        operations.MapPost("/{operationId}:cancel", async (string operationId, HttpContext http, IGrainFactory grains) =>
        {
            await RequestReader.NoBodyAsync(http.Request);
            return TypedResults.Ok(await Operation(grains, operationId).CancelAsync(http.Caller()));
        })
            .WithName("CancelOperation").WithSummary("Ask an operation to stop")
            .WithDescription("Best effort; no body, or `{}`: an import in flight stops and gives back what it took; a finished operation is returned as it is.");
    }

    private static IOperationGrain Operation(IGrainFactory grains, string operationId) =>
        grains.GetGrain<IOperationGrain>(RequestIds.Of(operationId, ResourceIds.Operation, "operation"));
}
