using Stratum.Index;

namespace Stratum.Tests.Unit;

/// <summary>The refusal of a taken name reads as English and names the folder only where there is one.</summary>
public sealed class NameTakenTests
{
    [Theory]
    [InlineData("image", "fldabc", "An image named 'x' already exists in folder 'fldabc'.")]
    [InlineData("instance", "fldabc", "An instance named 'x' already exists in folder 'fldabc'.")]
    [InlineData("disk", "fldabc", "A disk named 'x' already exists in folder 'fldabc'.")]
    [InlineData("folder", "root", "A folder named 'x' already exists.")]
    public void Names_the_kind_with_its_article(string kind, string folderId, string expected)
    {
        var refusal = ResourceIndex.NameTaken(kind, "x", folderId);
        Assert.Equal((ErrorCode.AlreadyExists, expected), (refusal.Code, refusal.Message));
    }
}
