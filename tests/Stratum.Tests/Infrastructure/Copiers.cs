using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;

namespace Stratum.Tests.Infrastructure;

/// <summary>Orleans deep copiers of the grains' state types, for a StoredState built outside a silo.</summary>
public static class Copiers
{
    private static readonly IServiceProvider Services =
        new ServiceCollection().AddSerializer(s => s.AddAssembly(typeof(Images.ImageState).Assembly)).BuildServiceProvider();

    public static DeepCopier<T> For<T>() => Services.GetRequiredService<DeepCopier<T>>();
}
