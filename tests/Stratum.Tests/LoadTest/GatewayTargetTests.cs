using System.Net;
using Stratum.LoadTest;
using Stratum.Tests.Infrastructure;

namespace Stratum.Tests.LoadTest;

/// <summary>A refused call is recorded with the service's own message, which the summary shows.</summary>
public sealed class GatewayTargetTests
{
    [Fact]
    public async Task A_refusal_carries_the_service_s_message_not_the_whole_body()
    {
        await using var target = new GatewayTarget(new CannedAnswers((HttpStatusCode.BadRequest,
            """{"code":3,"message":"count 1500 is out of range: 1 to 1000 instances per call.","details":[]}""")).Client());

        var refused = await Assert.ThrowsAsync<CallFailedException>(() => target.BulkCreateAsync("fld1", "loadtest", "lt", 1500, "key"));

        Assert.Equal("3", refused.Code);
        Assert.Equal("count 1500 is out of range: 1 to 1000 instances per call.", refused.Message);
    }

    [Fact]
    public async Task A_bulk_create_s_failures_carry_their_messages()
    {
        await using var target = new GatewayTarget(new CannedAnswers((HttpStatusCode.OK,
            """{"id":"opr1","done":true,"response":{"instances":[],"failures":[{"name":"lt-1","error":{"code":8,"message":"quota compute.instances.count exceeded"}}]}}""")).Client());

        var (created, failures) = await target.BulkCreateAsync("fld1", "loadtest", "lt", 1, "key");

        Assert.Equal(0, created);
        Assert.Equal(new CallFailure("8", "quota compute.instances.count exceeded"), Assert.Single(failures));
    }
}
