using CityNode.Hal;

namespace CityNode.Host.SimulatedHal;

/// <summary>
/// An uplink that acknowledges every publish at once, without a network (for wear and capacity
/// figures where MQTT is not what is measured). Payloads go to a callback.
/// </summary>
public sealed class LoopbackUplink : IUplink
{
    private readonly Queue<int> _acks = new();
    private int _handle;
    private bool _connected;

    public Action<byte[]>? OnPayload { get; set; }

    public bool IsConnected => _connected;

    public int Rssi => -60;

    public UplinkStatus Connect(int timeoutMs)
    {
        _connected = true;
        return UplinkStatus.Ok;
    }

    public UplinkStatus Subscribe(string topic) => UplinkStatus.Ok;

    public int Publish(string topic, byte[] payload, int offset, int count)
    {
        OnPayload?.Invoke(payload.AsSpan(offset, count).ToArray());
        _acks.Enqueue(++_handle);
        return _handle;
    }

    public void Poll(int timeoutMs, IUplinkEvents events)
    {
        while (_acks.TryDequeue(out int h))
        {
            events.OnPublished(h, true, 0);
        }
    }

    public void Disconnect() => _connected = false;
}
