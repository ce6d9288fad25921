using Grpc.Core;
using Grpc.Core.Interceptors;
using Stratum.Gateway.Auth;

namespace Stratum.Gateway.Grpc;

/// <summary>
/// Every call of Stratum's gRPC services: the caller authenticated from the <c>authorization</c>
/// metadata by the same component as REST (UNAUTHENTICATED otherwise), its token carried by the
/// call's grain calls, and every failure turned into the contract's status. Reflection and health are not behind it.
/// </summary>
public sealed class CallerInterceptor(CallerAuthentication authentication) : Interceptor
{
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            using (BearerToken.Use(await AuthenticateAsync(context)))
            {
                return await continuation(request, context);
            }
        }
        catch (Exception e) when (e is not OperationCanceledException || !context.CancellationToken.IsCancellationRequested)
        {
            throw GrpcErrors.From(e, context);
        }
    }

    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(
        TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            using (BearerToken.Use(await AuthenticateAsync(context)))
            {
                await continuation(request, responseStream, context);
            }
        }
        catch (Exception e) when (e is not OperationCanceledException || !context.CancellationToken.IsCancellationRequested)
        {
            throw GrpcErrors.From(e, context);
        }
    }

    /// <summary>
    /// Authenticates the call and returns its token. The caller's frame puts the token in force: a
    /// request context set inside this async method would not flow back out of it.
    /// </summary>
    private async Task<string> AuthenticateAsync(ServerCallContext context)
    {
        var http = context.GetHttpContext();
        if (await authentication.AuthenticateAsync(http) is not { } authenticated)
        {
            throw GrpcErrors.From(ErrorCode.Unauthenticated, "A valid bearer token is required: authorization: Bearer <token>.", context);
        }
        http.SetAuthenticated(authenticated);
        return authenticated.Token;
    }
}

/// <summary>What a service method needs from its call.</summary>
public static class GrpcCall
{
    public static Caller Caller(this ServerCallContext context) => context.GetHttpContext().Caller();

    public static string? IdempotencyKey(this ServerCallContext context) =>
        Http.RequestReader.IdempotencyKey(context.GetHttpContext().Request);
}
