using Stratum.Security;

namespace Stratum.Tests.Infrastructure;

/// <summary>
/// How a test acts as a caller through the Orleans client. A silo serves a client's call only with
/// a bearer token whose caller is the <see cref="Caller"/> the call passes (see
/// <c>Stratum.Access.ClientCallGuard</c>), so a test wraps its grain calls in that caller's token:
/// <code>
/// var bob = Caller.User("bob");
/// using (TestCallers.ActAs(bob))
/// {
///     await fixture.Stratum.Client.GetGrain&lt;IImageGrain&gt;(imageId).GetAsync(bob);
/// }
/// // or for one call:
/// var image = await TestCallers.As(bob, () => grains.GetGrain&lt;IImageGrain&gt;(imageId).GetAsync(bob));
/// </code>
/// admin, alice and bob act with the development tokens; anyone else, service accounts too, with a
/// JWT signed by the test clusters' key (<see cref="Jwt"/>, configured by <see cref="StratumCluster"/>).
/// Internal grains are out of a client's reach: tests call them through
/// <see cref="StratumCluster.SiloGrains"/>, from inside a silo.
/// </summary>
public static class TestCallers
{
    /// <summary>The JWT settings of every test cluster (silos and gateways).</summary>
    public static readonly JwtOptions Jwt = new()
    {
        Issuer = "https://tests.stratum.invalid",
        Audience = "stratum",
        SigningKey = "stratum-tests-signing-key-of-at-least-32-bytes",
    };

    /// <summary>The configuration keys that give a cluster <see cref="Jwt"/> and the development tokens.</summary>
    public static IEnumerable<KeyValuePair<string, string?>> Settings =>
    [
        new("Stratum:Auth:DevelopmentTokens", "true"),
        new("Stratum:Auth:Jwt:Issuer", Jwt.Issuer),
        new("Stratum:Auth:Jwt:Audience", Jwt.Audience),
        new("Stratum:Auth:Jwt:SigningKey", Jwt.SigningKey),
    ];

    /// <summary>A token naming the caller: a development token for admin, alice and bob, a JWT for anyone else.</summary>
    public static string TokenFor(Caller caller) =>
        DevelopmentTokens.All.FirstOrDefault(t => t.Value == caller).Key ?? JwtFor(caller);

    /// <summary>A JWT naming the caller, valid for <paramref name="lifetime"/> (an hour by default; negative: already expired).</summary>
    public static string JwtFor(Caller caller, TimeSpan? lifetime = null) => JwtIssuer.Issue(Jwt, caller, lifetime ?? TimeSpan.FromHours(1));

    /// <summary>Grain calls made in this asynchronous flow act as <paramref name="caller"/> until the scope is disposed.</summary>
    public static IDisposable ActAs(Caller caller) => BearerToken.Use(TokenFor(caller));

    /// <summary>One call acting as <paramref name="caller"/>.</summary>
    public static async Task<T> As<T>(Caller caller, Func<Task<T>> call)
    {
        using (ActAs(caller))
        {
            return await call();
        }
    }

    /// <summary>One call acting as <paramref name="caller"/>.</summary>
    public static async Task As(Caller caller, Func<Task> call)
    {
        using (ActAs(caller))
        {
            await call();
        }
    }
}
