using System.Net;
using Stratum.LoadTest;
using Stratum.Tests.Infrastructure;

namespace Stratum.Tests.LoadTest;

/// <summary>A run's preparation outlasts a write the storage failed once, as the service asks: again, with the same key.</summary>
public sealed class PreparationTests
{
    [Fact]
    public async Task A_step_answered_503_is_sent_again_with_the_same_idempotency_key()
    {
        var handler = new CannedAnswers(
            (HttpStatusCode.ServiceUnavailable, """{"code":14,"message":"The change could not be stored, so nothing was changed; retry (with the same Idempotency-Key).","details":[]}"""),
            (HttpStatusCode.OK, """{"id":"opr1","done":true,"response":{"id":"img1"}}"""));
        await using var preparation = new Preparation(handler.Client());

        await preparation.DeprecateAsync("img1");

        Assert.Equal(2, handler.Keys.Count);
        Assert.Single(handler.Keys.Distinct());
        Assert.False(string.IsNullOrEmpty(handler.Keys[0]));
    }

    [Fact]
    public async Task A_step_refused_otherwise_ends_the_preparation_with_the_answer_at_once()
    {
        var handler = new CannedAnswers((HttpStatusCode.BadRequest, """{"code":3,"message":"bad","details":[]}"""));
        await using var preparation = new Preparation(handler.Client());

        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => preparation.DeprecateAsync("img1"));

        Assert.Contains("\"code\":3", refused.Message);
        Assert.Single(handler.Keys);
    }
}
