namespace Stratum.Tests.Unit;

/// <summary>The words of a quota refusal (429), from a folder, an upload or a deployment shard.</summary>
public sealed class QuotaRefusalTests
{
    [Fact]
    public void A_refusal_over_what_is_stored_names_limit_usage_and_the_amount()
    {
        var refusal = StratumException.QuotaExceeded("fld1", "compute.disks.count", 2, 2, 1);

        Assert.Equal(ErrorCode.ResourceExhausted, refusal.Code);
        Assert.Equal("Quota compute.disks.count of folder 'fld1' would be exceeded: limit 2, usage 2, requested 1. " +
            "A platform admin can raise it with PATCH /compute/v1/folders/fld1/quotas.", refusal.Message);
    }

    [Fact]
    public void A_refusal_while_creates_are_still_being_stored_says_they_hold_the_rest()
    {
        // A bulk create into a folder of 32 was refused with "limit 32, usage 30, requested 1": the two
        // units left were held by creates of the same bulk admitted but not yet committed.
        var refusal = StratumException.QuotaExceeded("fld1", "compute.disks.count", 32, 30, 1);

        Assert.Contains("limit 32, usage 30, requested 1; creates not yet stored hold the other 2. A platform admin", refusal.Message);
    }
}
