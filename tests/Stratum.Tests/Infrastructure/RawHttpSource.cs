using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Stratum.Tests.Infrastructure;

/// <summary>
/// An HTTP source written by hand on a loopback socket, for sources no well-behaved server would
/// be: a body cut short with a clean close, a chunked flood that counts exactly the bytes the
/// socket accepted before the importer hung up.
/// </summary>
public sealed class RawHttpSource : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly Func<NetworkStream, RawHttpSource, Task> _respond;
    private readonly Task _serving;
    private long _sent;

    private RawHttpSource(Func<NetworkStream, RawHttpSource, Task> respond)
    {
        _respond = respond;
        _listener.Start();
        _serving = ServeAsync();
    }

    public string Uri => $"{Origin}/disk.img";

    /// <summary>Scheme, host and port, as a client's base address.</summary>
    public string Origin => $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";

    /// <summary>Reads each request and never answers it: holds the connection until the client hangs up.</summary>
    public static RawHttpSource Silent() => new(async (stream, _) =>
    {
        var buffer = new byte[1];
        while (await stream.ReadAsync(buffer) > 0)
        {
        }
    });

    /// <summary>Answers every request with <paramref name="response"/>, written as it is (status line, headers and body).</summary>
    public static RawHttpSource Answering(string response) => new(async (stream, _) => await stream.WriteAsync(Encoding.UTF8.GetBytes(response)));

    /// <summary>Bytes of the body the socket accepted.</summary>
    public long Sent => Interlocked.Read(ref _sent);

    /// <summary>Sends headers announcing <paramref name="announced"/> bytes, then <paramref name="body"/>, then closes cleanly.</summary>
    public static RawHttpSource CutShort(long announced, byte[] body) => new(async (stream, source) =>
    {
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"HTTP/1.1 200 OK\r\nContent-Length: {announced}\r\nConnection: close\r\n\r\n"));
        await source.WriteBodyAsync(stream, body);
    });

    /// <summary>Streams <paramref name="chunks"/> chunks of <paramref name="chunk"/> with chunked encoding (no length) until the reader hangs up.</summary>
    public static RawHttpSource Chunked(byte[] chunk, int chunks) => new(async (stream, source) =>
    {
        await stream.WriteAsync(Encoding.ASCII.GetBytes("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"));
        var size = Encoding.ASCII.GetBytes($"{chunk.Length:x}\r\n");
        for (var i = 0; i < chunks; i++)
        {
            await stream.WriteAsync(size);
            await source.WriteBodyAsync(stream, chunk);
            await stream.WriteAsync("\r\n"u8.ToArray());
        }
        await stream.WriteAsync("0\r\n\r\n"u8.ToArray());
    });

    private async Task WriteBodyAsync(NetworkStream stream, byte[] bytes)
    {
        // Small writes, so the count stops close to where the socket stopped taking bytes.
        foreach (var piece in bytes.Chunk(16 * 1024))
        {
            await stream.WriteAsync(piece);
            Interlocked.Add(ref _sent, piece.Length);
        }
    }

    private async Task ServeAsync()
    {
        while (true)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync();
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                return;
            }
            using (client)
            {
                var stream = client.GetStream();
                try
                {
                    await ReadRequestAsync(stream);
                    await _respond(stream, this);
                    client.Client.Shutdown(SocketShutdown.Send);
                }
                catch (IOException)
                {
                    // The importer hung up: what it took is counted.
                }
            }
        }
    }

    private static async Task ReadRequestAsync(NetworkStream stream)
    {
        var request = new List<byte>();
        var buffer = new byte[1];
        while (request.Count < 4 || !request.TakeLast(4).SequenceEqual("\r\n\r\n"u8.ToArray()))
        {
            if (await stream.ReadAsync(buffer) == 0)
            {
                return;
            }
            request.Add(buffer[0]);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        await _serving;
    }
}
