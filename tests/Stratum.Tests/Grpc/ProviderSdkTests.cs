namespace Stratum.Tests.Grpc;

/// <summary>
/// The provider's own Node SDK against a real cluster over TLS: one result here per test of
/// <c>tests/sdk</c> (the suite runs once, on first use).
/// </summary>
[Collection(GrpcCollection.Name)]
public sealed class ProviderSdkTests(GrpcFixture fixture)
{
    public static TheoryData<string> NodeTests() => new(NodeSdkSuite.DeclaredTests());

    [Theory, MemberData(nameof(NodeTests))]
    public async Task Node(string test)
    {
        var run = await fixture.NodeSuite.Value;
        var result = run.Results.FirstOrDefault(r => r.Name == test);
        Assert.True(result is not null, $"The Node suite did not report '{test}'.\n{run.Output}");
        Assert.True(result.Passed, $"{result.File}: {result.Error}");
    }

    [Fact]
    public async Task The_node_suite_reports_exactly_the_tests_its_files_declare()
    {
        var run = await fixture.NodeSuite.Value;
        Assert.Equal(NodeSdkSuite.DeclaredTests().Order(), run.Results.Select(r => r.Name).Order());
    }
}
