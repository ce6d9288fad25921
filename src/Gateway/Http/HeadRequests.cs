namespace Stratum.Gateway.Http;

/// <summary>
/// HEAD is answered as GET is, without content (RFC 9110 §9.3.2), on every path that serves GET:
/// the same status and headers, so <c>curl -I</c>, link checkers and probes that send HEAD work.
/// The request is read as a GET before anything else looks at it; Kestrel, which parsed HEAD from
/// the request line itself, sends no body whatever the handler writes.
/// </summary>
public static class HeadRequests
{
    private static readonly object Marker = new();

    /// <summary>Adds the middleware; first, so the latestByFamily shortcut, routing and telemetry all see a GET.</summary>
    public static IApplicationBuilder UseHeadAsGet(this IApplicationBuilder app) => app.Use((http, next) =>
    {
        if (HttpMethods.IsHead(http.Request.Method))
        {
            http.Request.Method = HttpMethods.Get;
            http.Items[Marker] = Marker;
        }
        return next(http);
    });

    /// <summary>
    /// Whether the client sent HEAD: a handler whose GET never ends (an event stream) answers it
    /// with its headers and returns, as Kestrel would send nothing of the stream anyway.
    /// </summary>
    public static bool IsHead(HttpContext http) => http.Items.ContainsKey(Marker);

    /// <summary>An Allow header's value: the methods given, and HEAD wherever GET is served.</summary>
    public static string Allow(IEnumerable<string> methods)
    {
        var list = methods.ToList();
        if (list.Contains(HttpMethods.Get, StringComparer.Ordinal) && !list.Contains(HttpMethods.Head, StringComparer.Ordinal))
        {
            list.Add(HttpMethods.Head);
        }
        return string.Join(", ", list.Order(StringComparer.Ordinal));
    }
}
