using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;

namespace Stratum.Tests.Unit;

/// <summary>An image on the wire names its label and product collections by number, not by type name, and reads back whole.</summary>
public sealed class WireTypesTests
{
    [Fact]
    public void An_image_round_trips_without_collection_type_names()
    {
        var serializer = new ServiceCollection().AddSerializer(b => b.AddAssembly(typeof(Image).Assembly)).BuildServiceProvider().GetRequiredService<Serializer>();
        var image = new Image("img00000000000000001", "fld00000000000000001", DateTimeOffset.UnixEpoch, "n", "d",
            new Dictionary<string, string> { ["tier"] = "gold" }, "debian", 1, 4 << 20, new List<string> { "p1" }, ImageStatus.Ready,
            new OsInfo(OsType.Linux), false, ImageFormat.Qcow2, null, null, Deprecation.Active, 1);

        var bytes = serializer.SerializeToArray(image);
        var back = serializer.Deserialize<Image>(bytes)!;

        Assert.DoesNotContain("System.Collections", Encoding.ASCII.GetString(bytes), StringComparison.Ordinal);
        Assert.Equal("gold", back.Labels["tier"]);
        Assert.Equal(["p1"], back.ProductIds);
        Assert.Equal((image.Id, image.Family, image.Deprecation), (back.Id, back.Family, back.Deprecation));
    }
}
