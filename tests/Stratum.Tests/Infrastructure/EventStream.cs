using System.Net;
using System.Text;
using System.Text.Json.Nodes;

namespace Stratum.Tests.Infrastructure;

/// <summary>One Server-Sent Event as a client sees it.</summary>
public sealed record ServerSentEvent(string? Id, string Event, string Data)
{
    public JsonNode Json => JsonNode.Parse(Data)!;
}

/// <summary>A Server-Sent Events response read line by line, each read with a deadline.</summary>
public sealed class EventStream : IAsyncDisposable
{
    private readonly HttpResponseMessage _response;
    private readonly StreamReader _reader;

    private EventStream(HttpResponseMessage response, StreamReader reader)
    {
        _response = response;
        _reader = reader;
    }

    public int Heartbeats { get; private set; }

    public static async Task<EventStream> OpenAsync(HttpClient http, string path, string? lastEventId = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (lastEventId is not null)
        {
            request.Headers.Add("Last-Event-ID", lastEventId);
        }
        var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            // Only an error is read whole: a stream that opened never ends.
            Assert.Fail($"{path}: {response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        return new EventStream(response, new StreamReader(await response.Content.ReadAsStreamAsync(), Encoding.UTF8));
    }

    /// <summary>The next event (heartbeats are counted and skipped); null when the server ended the stream.</summary>
    public async Task<ServerSentEvent?> NextAsync(int seconds = 10)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(seconds));
        string? id = null, name = null;
        var data = new StringBuilder();
        while (true)
        {
            // Heartbeats keep lines coming, so the deadline is checked between lines too.
            deadline.Token.ThrowIfCancellationRequested();
            var line = await _reader.ReadLineAsync(deadline.Token);
            if (line is null)
            {
                return null;
            }
            if (line.Length == 0)
            {
                if (name is not null || data.Length > 0)
                {
                    return new ServerSentEvent(id, name ?? "message", data.ToString());
                }
                continue;
            }
            if (line.StartsWith(':'))
            {
                Heartbeats++;
                continue;
            }
            var colon = line.IndexOf(':');
            var (field, value) = colon < 0 ? (line, "") : (line[..colon], line[(colon + 1)..].TrimStart(' '));
            switch (field)
            {
                case "id": id = value; break;
                case "event": name = value; break;
                case "data": data.Append(value); break;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        _reader.Dispose();
        _response.Dispose();
        await Task.CompletedTask;
    }
}
