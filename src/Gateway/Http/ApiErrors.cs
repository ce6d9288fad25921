namespace Stratum.Gateway.Http;

/// <summary>The contract's error body and the HTTP status of each code.</summary>
public sealed record ErrorBody(int Code, string Message, IReadOnlyList<object> Details);

public static class ApiErrors
{
    public static int Status(ErrorCode code) => code switch
    {
        ErrorCode.InvalidArgument or ErrorCode.FailedPrecondition => 400,
        ErrorCode.NotFound => 404,
        ErrorCode.AlreadyExists or ErrorCode.Aborted => 409,
        ErrorCode.PermissionDenied => 403,
        ErrorCode.ResourceExhausted => 429,
        ErrorCode.Unavailable => 503,
        ErrorCode.Unauthenticated => 401,
        _ => 500,
    };

    public static IResult Result(ErrorCode code, string message) =>
        Results.Json(new ErrorBody((int)code, message, []), ContractJson.Options, statusCode: Status(code));

    public static IResult Result(StratumException e) => Result(e.Code, e.Message);

    /// <summary>Turns any failure of a request into the contract's shape; never a bare 500 for bad input.</summary>
    public static async Task Handle(HttpContext context, RequestDelegate next)
    {
        try
        {
            await next(context);
        }
        catch (StratumException e) when (!context.Response.HasStarted)
        {
            await Result(e).ExecuteAsync(context);
        }
        catch (BadHttpRequestException e) when (!context.Response.HasStarted)
        {
            await Result(ErrorCode.InvalidArgument, e.Message).ExecuteAsync(context);
        }
        catch (Exception e) when (!context.Response.HasStarted && e is Orleans.Runtime.SiloUnavailableException or Orleans.Runtime.OrleansMessageRejectionException or TimeoutException)
        {
            await Result(ErrorCode.Unavailable, "The cluster is not reachable right now; retry with the same Idempotency-Key.").ExecuteAsync(context);
        }
        catch (Exception e) when (!context.Response.HasStarted && e is not OperationCanceledException)
        {
            context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("Stratum.Gateway").LogError(e, "Request failed");
            await Result(ErrorCode.Internal, "An internal error occurred; it was logged.").ExecuteAsync(context);
        }
    }
}
