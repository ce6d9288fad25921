using System.Text.RegularExpressions;
using Stratum.Changes;

namespace Stratum.Tests.Changes;

public sealed class QueueNameTests
{
    [Theory]
    [InlineData("stratum-dev", "stratum-dev-changes")]
    [InlineData("Test_Cluster.7", "test-cluster-7-changes")]
    [InlineData("__a__b__", "a-b-changes")]
    [InlineData("a-very-long-cluster-identifier-that-goes-on-and-on-and-on", "a-very-long-cluster-identifier-that-goes-changes")]
    public void Each_cluster_gets_its_own_valid_queue(string clusterId, string expected)
    {
        var name = ChangeFeed.QueueName(clusterId);
        Assert.Equal(expected, name);
        // Azure queue names: 3-63 lowercase letters, digits and single hyphens, starting and ending with a letter or digit.
        Assert.Matches(new Regex("^[a-z0-9](?!.*--)[-a-z0-9]{1,61}[a-z0-9]$"), name);
    }
}
