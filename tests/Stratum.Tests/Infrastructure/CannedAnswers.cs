using System.Net;
using System.Text;

namespace Stratum.Tests.Infrastructure;

/// <summary>
/// An HTTP handler that answers the n-th request with the n-th JSON answer (the last one from then on), and
/// keeps each request's Idempotency-Key: a gateway stand-in for what a client makes of its answers.
/// </summary>
public sealed class CannedAnswers(params (HttpStatusCode Status, string Body)[] answers) : HttpMessageHandler
{
    /// <summary>Each request's Idempotency-Key, null where it had none, in the order they came.</summary>
    public List<string?> Keys { get; } = [];

    /// <summary>A client of this handler, with a base address nothing listens on.</summary>
    public HttpClient Client() => new(this, disposeHandler: false) { BaseAddress = new Uri("http://127.0.0.1:1") };

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        lock (Keys)
        {
            Keys.Add(request.Headers.TryGetValues("Idempotency-Key", out var keys) ? keys.Single() : null);
            var (status, body) = answers[Math.Min(Keys.Count, answers.Length) - 1];
            return Task.FromResult(new HttpResponseMessage(status) { Content = new StringContent(body, Encoding.UTF8, "application/json") });
        }
    }
}
