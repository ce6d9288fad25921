using System.Net;
using System.Text.Json.Nodes;

namespace Stratum.LoadTest;

/// <summary>The run cannot go ahead as configured (a token the gateway refuses, a folder it does not have): exit 2, like a usage error.</summary>
public sealed class RunConfigurationException(string message) : Exception(message);

/// <summary>
/// One read before anything else, with the token the run uses: a refused token otherwise surfaced
/// as "Response status code does not indicate success: 401" from whichever step came first, or, in a
/// lookup run, as every lookup failing and the run ending 0.
/// </summary>
public static class GatewayCheck
{
    /// <summary>
    /// Reads the named folder (or, before a local run makes its own, the folders the token can see), then
    /// the family's latest image there when one is named: a trial's missing family failed every create and
    /// ended 1 with the reason cut short.
    /// </summary>
    public static async Task CheckAsync(HttpClient admin, string? folderId, string? family = null)
    {
        await ReadAsync(admin, folderId is null ? "/resource-manager/v1/folders?pageSize=1" : $"/resource-manager/v1/folders/{Uri.EscapeDataString(folderId)}", folderId,
            $"the gateway has no folder {folderId} (404), or the token may not see it; --folder names an existing folder.");
        if (folderId is not null && family is not null)
        {
            await ReadAsync(admin, $"/compute/v1/images:latestByFamily?folderId={Uri.EscapeDataString(folderId)}&family={Uri.EscapeDataString(family)}", folderId,
                $"folder {folderId} has no image in family {family} (404); --family names a family with a READY image there (default loadtest).");
        }
    }

    private static async Task ReadAsync(HttpClient admin, string path, string? folderId, string notFound)
    {
        using var response = await admin.GetAsync(path);
        if (response.IsSuccessStatusCode)
        {
            return;
        }
        var status = (int)response.StatusCode;
        var because = await ServiceMessageAsync(response);
        throw response.StatusCode switch
        {
            HttpStatusCode.Unauthorized => new RunConfigurationException($"the gateway refused the token ({status}): {because.TrimEnd('.')}. Give one it accepts with --token."),
            HttpStatusCode.Forbidden => new RunConfigurationException($"the token may not use folder {folderId} ({status}): {because.TrimEnd('.')}. Give a token with a role there, or a folder of its own."),
            HttpStatusCode.NotFound when folderId is not null => new RunConfigurationException(notFound),
            // Anything else is the gateway failing, not the configuration: as "could not be reached" (exit 3).
            _ => new HttpRequestException($"{admin.BaseAddress}{path.TrimStart('/')} answered {status} {response.ReasonPhrase}: {because}", null, response.StatusCode),
        };
    }

    private static async Task<string> ServiceMessageAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        try
        {
            return JsonNode.Parse(text)?["message"]?.GetValue<string>() ?? text;
        }
        catch (System.Text.Json.JsonException)
        {
            return text;
        }
    }
}
