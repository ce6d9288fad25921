using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Grpc.Core;
using Stratum.Gateway.Http;

namespace Stratum.Gateway.Grpc;

/// <summary>
/// The contract's errors as gRPC statuses: the status code is the contract's code, the message the
/// same, and the <c>grpc-status-details-bin</c> trailer a <c>google.rpc.Status</c> with an
/// <c>ErrorInfo</c> (the code's name) and a <c>RequestInfo</c> (this request's id, for the logs).
/// </summary>
public static class GrpcErrors
{
    public const string Domain = "stratum";

    public static RpcException From(Exception e, ServerCallContext context)
    {
        if (e is RpcException rpc)
        {
            return rpc;
        }
        var http = context.GetHttpContext();
        var (code, message) = ApiErrors.Describe(e, http.RequestServices);
        return Status((int)code, ContractNames.Of(code), message, http.TraceIdentifier);
    }

    public static RpcException From(ErrorCode code, string message, ServerCallContext context) =>
        Status((int)code, ContractNames.Of(code), message, context.GetHttpContext().TraceIdentifier);

    /// <summary>A request that asks for something Stratum does not do (a method or a field): UNIMPLEMENTED.</summary>
    public static RpcException Unimplemented(string message, ServerCallContext context) =>
        Status((int)StatusCode.Unimplemented, "UNIMPLEMENTED", message, context.GetHttpContext().TraceIdentifier);

    private static RpcException Status(int code, string reason, string message, string requestId) => new Google.Rpc.Status
    {
        Code = code,
        Message = message,
        Details =
        {
            Any.Pack(new Google.Rpc.ErrorInfo { Reason = reason, Domain = Domain }),
            Any.Pack(new RequestInfo { RequestId = requestId }),
        },
    }.ToRpcException();
}
