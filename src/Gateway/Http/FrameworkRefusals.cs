namespace Stratum.Gateway.Http;

/// <summary>
/// The refusals ASP.NET Core makes before any handler runs (no route: 404; a path without that
/// HTTP method: 405) get the contract's error body too, with a message that says how to do it
/// right. Only responses that have no body yet are touched.
/// </summary>
public static class FrameworkRefusals
{
    /// <summary>Adds the middleware; before routing, so that it sees what routing refused.</summary>
    public static IApplicationBuilder UseContractRefusals(this IApplicationBuilder app) => app.UseStatusCodePages(context => WriteAsync(context.HttpContext));

    private static Task WriteAsync(HttpContext http)
    {
        if (http.Request.ContentType?.StartsWith("application/grpc", StringComparison.OrdinalIgnoreCase) == true)
        {
            return Task.CompletedTask;   // gRPC answers in trailers, never in this shape
        }
        var (status, code, message) = Describe(http);
        return ApiErrors.Result(status, code, message).ExecuteAsync(http);
    }

    /// <summary>A 405 whose Allow and message name the same methods, HEAD wherever GET is.</summary>
    private static (int, ErrorCode, string) NotAllowed(HttpContext http, string where, IEnumerable<string> methods)
    {
        var allow = HeadRequests.Allow(methods);
        http.Response.Headers.Allow = allow;
        return (405, ErrorCode.InvalidArgument, $"{where} is not served; this path takes {allow}.");
    }

    private static (int Status, ErrorCode Code, string Message) Describe(HttpContext http)
    {
        var request = http.Request;
        var status = http.Response.StatusCode;
        if (status is 404 or 405 && CustomMethods.IsCall(request))
        {
            var (refusal, code, message, allow) = CustomMethods.Refuse(http);
            if (allow is not null)
            {
                http.Response.Headers.Allow = allow;
            }
            return (refusal, code, message);
        }
        var where = $"{request.Method} {EchoedText.Shorten(request.Path.Value ?? "/", 200)}";
        // A path served for other methods only: 405 whatever routing said (a 404 of a handler, with its method served, is not).
        if (status is 404 or 405 && ServedMethods.At(http) is { Count: > 0 } allowed && !allowed.Contains(request.Method, StringComparer.OrdinalIgnoreCase))
        {
            return NotAllowed(http, where, allowed);
        }
        return status switch
        {
            404 => (404, ErrorCode.NotFound, $"Nothing is served at {where}; /openapi/v1.json lists every path."),
            401 => (401, ErrorCode.Unauthenticated, "A valid bearer token is required: Authorization: Bearer <token>."),
            403 => (403, ErrorCode.PermissionDenied, "The caller may not do this."),
            409 => (409, ErrorCode.Aborted, "The request conflicts with another; retry it."),
            429 => (429, ErrorCode.ResourceExhausted, "Too many requests; retry later."),
            503 => (503, ErrorCode.Unavailable, "The service cannot answer now; retry later."),
            >= 500 => (status, ErrorCode.Internal, "An internal error occurred; it was logged."),
            _ => (status, ErrorCode.InvalidArgument, $"{where} was refused as malformed (HTTP {status})."),
        };
    }
}
