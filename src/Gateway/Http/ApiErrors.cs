using System.ComponentModel;

namespace Stratum.Gateway.Http;

/// <summary>The contract's error body and the HTTP status of each code.</summary>
[Description("Every refusal: the HTTP status plus this body. `code` is the contract's error code (the HTTP status follows from it, except 405 and 415, which carry code 3); `message` says what is wrong and why.")]
public sealed record ErrorBody(ErrorCode Code, string Message, IReadOnlyList<object> Details);

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

    public static IResult Result(ErrorCode code, string message) => Result(Status(code), code, message);

    /// <summary>An error body with a status of its own: the framework's refusals (405, 415) that no contract code maps to.</summary>
    public static IResult Result(int status, ErrorCode code, string message)
    {
        var body = TypedResults.Json(new ErrorBody(code, message, []), ContractJson.Options, statusCode: status);
        return status == StatusCodes.Status401Unauthorized ? new Challenge(body) : body;
    }

    /// <summary>A 401 says which scheme would be accepted (RFC 9110 §15.5.2 requires WWW-Authenticate on every 401).</summary>
    private sealed class Challenge(IResult body) : IResult
    {
        public Task ExecuteAsync(HttpContext context)
        {
            context.Response.Headers.WWWAuthenticate = "Bearer";
            return body.ExecuteAsync(context);
        }
    }

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
            // A body that is not JSON keeps its own status (415); every other refusal's follows from its code.
            var status = e is BadHttpRequestException { StatusCode: StatusCodes.Status415UnsupportedMediaType } ? StatusCodes.Status415UnsupportedMediaType : Status(code);
            await Result(status, code, message).ExecuteAsync(context);
        }
    }

    /// <summary>
    /// The contract's error for a failed request, for REST and gRPC alike: a refusal as it is, bad
    /// HTTP input as 400, the cluster or storage out of reach as UNAVAILABLE, anything else INTERNAL (logged).
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
            case Azure.RequestFailedException { Status: 0 or 408 or 429 or >= 500 } storage:
                // Storage failed under a grain that let it through (an index or data write): transient, and a
                // retry with the key finishes what was stored. Logged, as it is the service's own trouble.
                services.GetRequiredService<ILoggerFactory>().CreateLogger("Stratum.Gateway").LogWarning(storage, "Storage failed under a request");
                return (ErrorCode.Unavailable, "Storage did not answer; retry with the same Idempotency-Key.");
            default:
                services.GetRequiredService<ILoggerFactory>().CreateLogger("Stratum.Gateway").LogError(e, "Request failed");
                return (ErrorCode.Internal, "An internal error occurred; it was logged.");
        }
    }
}
