using System.Net;
using System.Net.Sockets;

namespace CityNode.Tests.Faults;

/// <summary>
/// A TCP relay in front of the broker that can turn a live connection half-open: frozen, it stops
/// moving bytes in both directions but keeps every socket open (a NAT that forgot the flow, a
/// mobile link gone dark), and refuses new connections.
/// </summary>
public sealed class FreezingProxy : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly int _target;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<TcpClient> _open = new();
    private volatile bool _frozen;
    private volatile bool _halfOpenNext;

    public FreezingProxy(int targetPort)
    {
        _target = targetPort;
        _listener.Start();
        _ = AcceptLoop();
    }

    public string Url => $"mqtt://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";

    public bool Frozen
    {
        get => _frozen;
        set => _frozen = value;
    }

    /// <summary>The next connection goes half-open right after the broker's first answer (CONNACK): the session looks up, nothing moves.</summary>
    public bool HalfOpenNextSession
    {
        get => _halfOpenNext;
        set => _halfOpenNext = value;
    }

    /// <summary>Connections that went half-open.</summary>
    public int HalfOpened { get; private set; }

    private async Task AcceptLoop()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient inbound;
            try
            {
                inbound = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception)
            {
                return;
            }

            if (_frozen)
            {
                inbound.Dispose(); // no route: the node's connect fails fast
                continue;
            }

            var outbound = new TcpClient();
            await outbound.ConnectAsync(IPAddress.Loopback, _target);
            lock (_open)
            {
                _open.Add(inbound);
                _open.Add(outbound);
            }

            var dead = new StrongBox(false);
            if (_halfOpenNext)
            {
                _halfOpenNext = false;
                dead.ArmAfterFirstReply = true;
                HalfOpened++;
            }

            _ = Pump(inbound.GetStream(), outbound.GetStream(), dead, false);
            _ = Pump(outbound.GetStream(), inbound.GetStream(), dead, true);
        }
    }

    private sealed class StrongBox(bool dead)
    {
        public volatile bool Dead = dead;
        public volatile bool ArmAfterFirstReply;
    }

    private async Task Pump(NetworkStream from, NetworkStream to, StrongBox link, bool fromBroker)
    {
        var buffer = new byte[16 * 1024];
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                int n = await from.ReadAsync(buffer, _stop.Token);
                if (n == 0)
                {
                    return;
                }

                while (_frozen && !_stop.IsCancellationRequested)
                {
                    await Task.Delay(10); // the bytes are swallowed by the dead link
                    n = 0;
                }

                if (n > 0 && !link.Dead)
                {
                    await to.WriteAsync(buffer.AsMemory(0, n), _stop.Token);
                    if (fromBroker && link.ArmAfterFirstReply)
                    {
                        link.Dead = true; // CONNACK went through; from now on the link swallows everything
                    }
                }
            }
        }
        catch (Exception)
        {
            // A side closed: the relay for this connection ends.
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
        lock (_open)
        {
            _open.ForEach(c => c.Dispose());
        }
    }
}
