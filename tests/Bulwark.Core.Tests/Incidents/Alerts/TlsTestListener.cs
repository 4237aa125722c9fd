using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Bulwark.Core.Tests.Incidents.Alerts;

/// <summary>
/// A real HTTPS/1.1 receiver on a loopback port (TcpListener + SslStream): records every TCP connection and request,
/// and answers as the test says. Just enough HTTP for webhook posts.
/// </summary>
internal sealed class TlsTestListener : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly X509Certificate2 _certificate;
    private readonly Func<int, ListenerReply> _reply;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentQueue<ReceivedRequest> _requests = new();
    private readonly TaskCompletionSource<ReceivedRequest> _firstRequest = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Lock _gate = new();
    private readonly List<EndPoint?> _accepted = [];
    private readonly List<(EndPoint Probe, TaskCompletionSource<int> Done)> _probes = [];
    private readonly Task _acceptLoop;
    private int _requestCount;

    private TlsTestListener(IPAddress address, X509Certificate2 certificate, Func<int, ListenerReply> reply)
    {
        _certificate = certificate;
        _reply = reply;
        _listener = new TcpListener(address, 0);
        _listener.Start();
        _acceptLoop = AcceptAsync();
    }

    public IPAddress Address => ((IPEndPoint)_listener.LocalEndpoint).Address;

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public IReadOnlyList<ReceivedRequest> Requests => [.. _requests];

    public Task<ReceivedRequest> FirstRequest => _firstRequest.Task;

    /// <summary>Answers request number n (from 1) with <paramref name="reply"/>(n).</summary>
    public static TlsTestListener Start(Func<int, ListenerReply> reply, IPAddress? address = null, X509Certificate2? certificate = null) =>
        new(address ?? IPAddress.Loopback, certificate ?? AlertTestCertificates.Server(), reply);

    public static TlsTestListener Start(ListenerReply reply, IPAddress? address = null, X509Certificate2? certificate = null) =>
        Start(_ => reply, address, certificate);

    /// <summary>
    /// How many TCP connections reached this listener before now. Connects a probe and waits until it is accepted:
    /// the kernel accepts in order, so any earlier connection (say, by the code under test) has been counted by then,
    /// and a zero is not an artefact of looking too early.
    /// </summary>
    public async Task<int> ConnectionsBeforeProbeAsync()
    {
        using var probe = new TcpClient(Address.AddressFamily);
        await probe.ConnectAsync(Address, Port);
        var done = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var local = probe.Client.LocalEndPoint!;
        lock (_gate)
        {
            var index = _accepted.IndexOf(local);
            if (index >= 0)
            {
                return index;
            }

            _probes.Add((local, done));
        }

        return await done.Task.WaitAsync(TimeSpan.FromSeconds(30));
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _acceptLoop;
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }

        _stop.Dispose();
        _certificate.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var client = await _listener.AcceptTcpClientAsync(_stop.Token);
            lock (_gate)
            {
                _accepted.Add(client.Client.RemoteEndPoint);
                foreach (var probe in _probes.Where(p => p.Probe.Equals(client.Client.RemoteEndPoint)).ToList())
                {
                    probe.Done.TrySetResult(_accepted.Count - 1);
                    _probes.Remove(probe);
                }
            }

            _ = ServeAsync(client);
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using (client)
        {
            try
            {
                await using var tls = new SslStream(client.GetStream());
                await tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificate = _certificate }, _stop.Token);
                while (await ReadRequestAsync(tls) is { } request)
                {
                    _requests.Enqueue(request);
                    _firstRequest.TrySetResult(request);
                    var reply = _reply(Interlocked.Increment(ref _requestCount));
                    if (reply.Hang)
                    {
                        await Task.Delay(Timeout.Infinite, _stop.Token);
                    }

                    await WriteReplyAsync(tls, reply);
                }
            }
            catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException
                or System.Security.Authentication.AuthenticationException)
            {
                // The client went away, refused our certificate, or the test ended: all normal here.
            }
        }
    }

    private async Task<ReceivedRequest?> ReadRequestAsync(Stream stream)
    {
        var head = new List<byte>();
        var one = new byte[1];
        while (head.Count < 4 || head[^4] != '\r' || head[^3] != '\n' || head[^2] != '\r' || head[^1] != '\n')
        {
            if (await stream.ReadAsync(one, _stop.Token) == 0 || head.Count > 64 * 1024)
            {
                return null;
            }

            head.Add(one[0]);
        }

        var lines = Encoding.ASCII.GetString([.. head]).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        var requestLine = lines[0].Split(' ');
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var line in lines.Skip(1))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            headers[line[..colon].Trim()] = line[(colon + 1)..].Trim();
        }

        var body = new byte[headers.TryGetValue("Content-Length", out var length) ? int.Parse(length, CultureInfo.InvariantCulture) : 0];
        await stream.ReadExactlyAsync(body, _stop.Token);
        return new ReceivedRequest(requestLine[0], requestLine[1], headers, body);
    }

    private async Task WriteReplyAsync(Stream stream, ListenerReply reply)
    {
        var head = new StringBuilder().Append(CultureInfo.InvariantCulture, $"HTTP/1.1 {reply.StatusCode} Test\r\nContent-Length: {reply.BodyBytes}\r\n");
        if (reply.Location is not null)
        {
            head.Append(CultureInfo.InvariantCulture, $"Location: {reply.Location}\r\n");
        }

        await stream.WriteAsync(Encoding.ASCII.GetBytes(head.Append("\r\n").ToString()), _stop.Token);
        var chunk = new byte[64 * 1024];
        Array.Fill(chunk, (byte)'x');
        for (var left = reply.BodyBytes; left > 0; left -= chunk.Length)
        {
            await stream.WriteAsync(chunk.AsMemory(0, (int)Math.Min(chunk.Length, left)), _stop.Token);
        }

        await stream.FlushAsync(_stop.Token);
    }
}
