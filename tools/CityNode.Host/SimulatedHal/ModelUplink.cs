using CityNode.Hal;

namespace CityNode.Host.SimulatedHal;

/// <summary>
/// An uplink for energy figures: every connection costs the board's connect-and-publish time on the
/// node's clock and every publish is acknowledged. No network: the policy's radio time is what is measured.
/// </summary>
public sealed class ModelUplink : IUplink
{
    private readonly VirtualClock _clock;
    private readonly int _connectPublishMs;
    private readonly Queue<int> _acks = new();
    private int _handle;

    public ModelUplink(VirtualClock clock, int connectPublishMs)
    {
        _clock = clock;
        _connectPublishMs = connectPublishMs;
    }

    public bool IsConnected { get; private set; }

    public int Rssi => -65;

    public long Connections { get; private set; }

    public long PayloadBytes { get; private set; }

    public UplinkStatus Connect(int timeoutMs)
    {
        // Association, DHCP, TLS and CONNECT take most of it; the PUBLISH/PUBACK round trips the rest.
        _clock.Advance(_connectPublishMs * 9 / 10);
        IsConnected = true;
        Connections++;
        return UplinkStatus.Ok;
    }

    public UplinkStatus Subscribe(string topic) => UplinkStatus.Ok;

    public int Publish(string topic, byte[] payload, int offset, int count)
    {
        PayloadBytes += count;
        _acks.Enqueue(++_handle);
        return _handle;
    }

    public void Poll(int timeoutMs, IUplinkEvents events)
    {
        _clock.Advance(_connectPublishMs / 10);
        while (_acks.TryDequeue(out int h))
        {
            events.OnPublished(h, true, 0);
        }
    }

    public void Disconnect() => IsConnected = false;
}
