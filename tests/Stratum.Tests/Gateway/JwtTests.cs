using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Stratum.Gateway;
using Stratum.Security;
using Stratum.Tests.Infrastructure;

namespace Stratum.Tests.Gateway;

/// <summary>Outside Development the gateway takes only JWTs signed with the configured key.</summary>
[Collection(GatewayCollection.Name)]
public sealed class JwtTests(GatewayFixture fixture) : IAsyncLifetime
{
    private WebApplication _gateway = null!;
    private Uri _address = null!;

    public async Task InitializeAsync()
    {
        _gateway = GatewayApp.Build(["--urls", "http://127.0.0.1:0", "--environment", "Production"], web =>
        {
            web.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                // The silos verify the forwarded token again, with the test cluster's JWT settings.
                ["Stratum:Auth:DevelopmentTokens"] = "false",
                ["Stratum:Auth:Jwt:Issuer"] = TestCallers.Jwt.Issuer,
                ["Stratum:Auth:Jwt:Audience"] = TestCallers.Jwt.Audience,
                ["Stratum:Auth:Jwt:SigningKey"] = TestCallers.Jwt.SigningKey,
            });
            StratumCluster.UseClient(web, fixture.Stratum.Client);
        });
        await _gateway.StartAsync();
        _address = new Uri(_gateway.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
    }

    public async Task DisposeAsync() => await _gateway.DisposeAsync();

    private static string Token(string subject, string? key = null, string? audience = null, string? type = null)
    {
        var caller = type == "serviceAccount" ? Caller.Service(subject) : Caller.User(subject);
        var options = new JwtOptions
        {
            Issuer = TestCallers.Jwt.Issuer,
            Audience = audience ?? TestCallers.Jwt.Audience,
            SigningKey = key ?? TestCallers.Jwt.SigningKey,
        };
        return JwtIssuer.Issue(options, caller, TimeSpan.FromMinutes(5));
    }

    private HttpClient Client(string token)
    {
        var http = new HttpClient { BaseAddress = _address };
        http.DefaultRequestHeaders.Authorization = new("Bearer", token);
        return http;
    }

    [Fact]
    public async Task A_valid_token_names_the_caller()
    {
        var folderId = await Client(Token("admin")).CreateFolderAsync();
        Assert.StartsWith("fld", folderId);
    }

    [Fact]
    public async Task A_service_account_claim_makes_a_service_account_caller()
    {
        var folderId = await fixture.Stratum.Http().CreateFolderAsync();
        var reply = await Client(Token("admin", type: "serviceAccount")).GetReplyAsync($"/resource-manager/v1/folders/{folderId}");
        Assert.Equal(HttpStatusCode.NotFound, reply.Status);
    }

    [Theory]
    [InlineData("dev-admin")]
    [InlineData("wrong-key")]
    [InlineData("wrong-audience")]
    public async Task Development_tokens_and_bad_JWTs_are_401(string kind)
    {
        var token = kind switch
        {
            "wrong-key" => Token("admin", key: "another-signing-key-of-at-least-32-bytes!!"),
            "wrong-audience" => Token("admin", audience: "someone-else"),
            _ => kind,
        };
        var reply = await Client(token).GetReplyAsync("/resource-manager/v1/folders");
        Assert.Equal(HttpStatusCode.Unauthorized, reply.Status);
        Assert.Equal(16, reply.Code);
    }
}
