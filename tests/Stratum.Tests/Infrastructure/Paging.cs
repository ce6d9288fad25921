using System.Net;
using System.Text.Json.Nodes;

namespace Stratum.Tests.Infrastructure;

/// <summary>Reads a list to its end by following page tokens, the way a user of the API would.</summary>
public static class Paging
{
    /// <summary>
    /// Every item of an HTTP list (<paramref name="path"/> with its query, e.g. <c>/compute/v1/disks?folderId=...</c>),
    /// <paramref name="pageSize"/> at a time; each page must be 200 and hold at most that many items.
    /// </summary>
    public static async Task<List<JsonNode>> AllAsync(this HttpClient http, string path, string plural, int pageSize = 1000)
    {
        var separator = path.Contains('?') ? '&' : '?';
        var items = new List<JsonNode>();
        await EachPageAsync<JsonNode>(async token =>
        {
            var reply = await http.GetReplyAsync($"{path}{separator}pageSize={pageSize}" + (token is null ? "" : $"&pageToken={Uri.EscapeDataString(token)}"));
            Assert.True(reply.Status == HttpStatusCode.OK, $"GET {path}: {reply.Status} {reply.Text}");
            var page = reply.Body![plural]!.AsArray().Select(n => n!).ToList();
            Assert.True(page.Count <= pageSize, $"a page of {page.Count} {plural} for pageSize {pageSize}");
            return (page, reply.Body["nextPageToken"]?.GetValue<string>());
        }, items.AddRange);
        return items;
    }

    /// <summary>
    /// Follows any paged read (a grain's list, a gRPC list) until its token runs out, handing each
    /// page's items on; returns how many pages it read. An empty token ends the list as null does.
    /// </summary>
    public static async Task<int> EachPageAsync<T>(Func<string?, Task<(IReadOnlyList<T> Items, string? NextPageToken)>> read, Action<IReadOnlyList<T>> take)
    {
        string? token = null;
        var pages = 0;
        do
        {
            var (items, next) = await read(token);
            take(items);
            pages++;
            Assert.True(pages <= 100_000, "the list never ended");
            token = string.IsNullOrEmpty(next) ? null : next;
        }
        while (token is not null);
        return pages;
    }
}
