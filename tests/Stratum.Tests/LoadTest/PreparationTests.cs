using System.Net;
using System.Text;
using Stratum.LoadTest;

namespace Stratum.Tests.LoadTest;

/// <summary>A run's preparation outlasts a write the storage failed once, as the service asks: again, with the same key.</summary>
public sealed class PreparationTests
{
    [Fact]
    public async Task A_step_answered_503_is_sent_again_with_the_same_idempotency_key()
    {
        var handler = new AnswersInTurn(
            (HttpStatusCode.ServiceUnavailable, """{"code":14,"message":"The change could not be stored, so nothing was changed; retry (with the same Idempotency-Key).","details":[]}"""),
            (HttpStatusCode.OK, """{"id":"opr1","done":true,"response":{"id":"img1"}}"""));
        await using var preparation = new Preparation(new HttpClient(handler) { BaseAddress = new Uri("http://127.0.0.1:1") });

        await preparation.DeprecateAsync("img1");

        Assert.Equal(2, handler.Keys.Count);
        Assert.Single(handler.Keys.Distinct());
        Assert.False(string.IsNullOrEmpty(handler.Keys[0]));
    }

    [Fact]
    public async Task A_step_refused_otherwise_ends_the_preparation_with_the_answer_at_once()
    {
        var handler = new AnswersInTurn((HttpStatusCode.BadRequest, """{"code":3,"message":"bad","details":[]}"""));
        await using var preparation = new Preparation(new HttpClient(handler) { BaseAddress = new Uri("http://127.0.0.1:1") });

        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => preparation.DeprecateAsync("img1"));

        Assert.Contains("\"code\":3", refused.Message);
        Assert.Single(handler.Keys);
    }

    private sealed class AnswersInTurn(params (HttpStatusCode Status, string Body)[] answers) : HttpMessageHandler
    {
        public List<string?> Keys { get; } = [];

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Keys.Add(request.Headers.TryGetValues("Idempotency-Key", out var keys) ? keys.Single() : null);
            var (status, body) = answers[Math.Min(Keys.Count, answers.Length) - 1];
            return Task.FromResult(new HttpResponseMessage(status) { Content = new StringContent(body, Encoding.UTF8, "application/json") });
        }
    }
}
