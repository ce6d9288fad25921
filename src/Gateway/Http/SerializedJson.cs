using System.Reflection;
using Microsoft.AspNetCore.Http.Metadata;

namespace Stratum.Gateway.Http;

/// <summary>
/// A 200 whose body is a <typeparamref name="T"/> already serialized in the contract's JSON (the
/// hot read keeps the bytes of a cached answer); declares <typeparamref name="T"/> to the
/// OpenAPI document as <c>Ok&lt;T&gt;</c> would.
/// </summary>
public sealed class SerializedJson<T>(byte[] utf8) : IResult, IStatusCodeHttpResult, IEndpointMetadataProvider
{
    private const string ContentType = "application/json; charset=utf-8";

    public int? StatusCode => StatusCodes.Status200OK;

    public Task ExecuteAsync(HttpContext httpContext)
    {
        var response = httpContext.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = ContentType;
        response.ContentLength = utf8.Length;
        return response.Body.WriteAsync(utf8, httpContext.RequestAborted).AsTask();
    }

    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) =>
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status200OK, typeof(T), ["application/json"]));
}
