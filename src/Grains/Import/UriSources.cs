using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Options;

namespace Stratum.Import;

/// <summary>
/// Opens import URLs: http(s) on an allowed host, redirects followed by hand and each checked
/// against the same policy, every connection re-checking the address the name resolved to (so a
/// name that resolves to a metadata address is refused too), connecting within
/// <see cref="ImportOptions.ConnectTimeout"/>.
/// </summary>
public sealed class UriSources : IDisposable
{
    private readonly UriPolicy _policy;
    private readonly ImportOptions _options;
    private readonly HttpClient _http;

    public UriSources(UriPolicy policy, IOptions<ImportOptions> options)
    {
        _policy = policy;
        _options = options.Value;
        _http = new HttpClient(new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            ConnectCallback = ConnectCheckedAsync,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            AutomaticDecompression = DecompressionMethods.None,
        })
        { Timeout = Timeout.InfiniteTimeSpan };
    }

    /// <summary>A source for <paramref name="uri"/>, which must pass the policy (400 otherwise).</summary>
    public IImportSource For(string? uri) => new Source(this, _policy.Check(uri));

    public void Dispose() => _http.Dispose();

    private sealed class Source(UriSources owner, Uri uri) : IImportSource
    {
        public string Name { get; } = uri.GetLeftPart(UriPartial.Path);

        public async Task<ImportBody> OpenAsync(TimeSpan idle, CancellationToken cancellation)
        {
            var current = uri;
            for (var redirects = 0; ; redirects++)
            {
                var response = await owner.SendAsync(current, Name, idle, cancellation);
                var status = (int)response.StatusCode;
                if (status is >= 300 and < 400 && response.Headers.Location is { } location)
                {
                    response.Dispose();
                    if (redirects >= owner._options.MaxRedirects)
                    {
                        throw ImportFaults.Source(Name, $"redirected more than {owner._options.MaxRedirects} times");
                    }
                    current = owner._policy.Check(new Uri(current, location).ToString(), "redirect target");
                    continue;
                }
                if (!response.IsSuccessStatusCode)
                {
                    response.Dispose();
                    throw ImportFaults.Source(Name, $"answered HTTP {status} ({response.ReasonPhrase})");
                }
                var body = await response.Content.ReadAsStreamAsync(cancellation);
                return new ImportBody(body, response.Content.Headers.ContentLength, response);
            }
        }
    }

    /// <summary>Sends a GET and waits for its headers at most <paramref name="idle"/>, turning the source's faults into code 9.</summary>
    private async Task<HttpResponseMessage> SendAsync(Uri uri, string name, TimeSpan idle, CancellationToken cancellation)
    {
        using var waiting = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        waiting.CancelAfter(idle);
        try
        {
            return await _http.GetAsync(uri, HttpCompletionOption.ResponseHeadersRead, waiting.Token);
        }
        catch (OperationCanceledException) when (!cancellation.IsCancellationRequested)
        {
            throw ImportFaults.Source(name, $"sent no answer for {idle.TotalSeconds:0} s");
        }
        catch (HttpRequestException e) when (e.InnerException is StratumException refused)
        {
            throw refused;
        }
        catch (HttpRequestException e)
        {
            throw ImportFaults.Source(name, e.HttpRequestError switch
            {
                HttpRequestError.NameResolutionError => "could not be resolved",
                HttpRequestError.ConnectionError => "could not be reached (connection refused or unreachable)",
                HttpRequestError.SecureConnectionError => "failed the TLS handshake",
                _ => "broke the connection before answering",
            });
        }
    }

    private async ValueTask<Stream> ConnectCheckedAsync(SocketsHttpConnectionContext context, CancellationToken cancellation)
    {
        var host = context.DnsEndPoint.Host;
        var addresses = await Dns.GetHostAddressesAsync(host, cancellation);
        var allowed = addresses.Where(a => !UriPolicy.IsForbidden(a)).ToArray();
        if (allowed.Length == 0)
        {
            throw StratumException.Invalid($"Host '{host}' resolves only to link-local, metadata or otherwise forbidden addresses; it is never fetched.");
        }
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        using var connecting = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        connecting.CancelAfter(_options.ConnectTimeout);
        try
        {
            await socket.ConnectAsync(allowed, context.DnsEndPoint.Port, connecting.Token);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch (OperationCanceledException) when (!cancellation.IsCancellationRequested)
        {
            socket.Dispose();
            throw ImportFaults.Source($"host {host}:{context.DnsEndPoint.Port}", $"did not accept a connection within {_options.ConnectTimeout.TotalSeconds:0} s");
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
