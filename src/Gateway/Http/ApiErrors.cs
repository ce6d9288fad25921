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
        catch (Exception e) when (!context.Response.HasStarted && e is not OperationCanceledException)
        {
            var (code, message) = Describe(e, context.RequestServices);
            await Result(code, message).ExecuteAsync(context);
        }
    }

    /// <summary>
    /// The contract's error for a failed request, for REST and gRPC alike: a refusal as it is, bad
    /// HTTP input as 400, the cluster out of reach as UNAVAILABLE, anything else INTERNAL (logged).
    /// </summary>
    public static (ErrorCode Code, string Message) Describe(Exception e, IServiceProvider services)
    {
        switch (e)
        {
            case StratumException refusal:
                return (refusal.Code, refusal.Message);
            case BadHttpRequestException bad:
                return (ErrorCode.InvalidArgument, bad.Message);
            case Orleans.Runtime.SiloUnavailableException or Orleans.Runtime.OrleansMessageRejectionException or TimeoutException:
                return (ErrorCode.Unavailable, "The cluster is not reachable right now; retry with the same Idempotency-Key.");
            default:
                services.GetRequiredService<ILoggerFactory>().CreateLogger("Stratum.Gateway").LogError(e, "Request failed");
                return (ErrorCode.Internal, "An internal error occurred; it was logged.");
        }
    }
}
