using CityNode.Hal;

namespace CityNode.Tests.Faults;

/// <summary>What the broker does with one PUBLISH.</summary>
public enum PublishFate
{
    /// <summary>Stored and acknowledged (PUBACK reason 0).</summary>
    Ack,
    /// <summary>Refused for good: PUBACK with an MQTT 5 reason code ≥ 0x80 (the payload never reaches the backend).</summary>
    Refuse,
    /// <summary>The client gives up after its retries: no PUBACK, the broker never saw it.</summary>
    GiveUp,
    /// <summary>The broker stored it but its PUBACK never arrives (half-open link, lost packet).</summary>
    StoredNoAck,
    /// <summary>Nothing comes back and the broker never saw it.</summary>
    Silent,

    /// <summary>PUBACK reason 0, then the broker loses it before the backend has it (crash with persistence off).</summary>
    AckLost,
}

/// <summary>
/// A deterministic uplink for fault tests: each PUBLISH meets the fate a script gives it, stored
/// payloads go straight to a backend callback, and a hook can cut the power at the moment a
/// PUBACK is handed to the node.
/// </summary>
public sealed class ScriptedUplink : IUplink
{
    private readonly Queue<(int Handle, bool Acked, int Reason)> _events = new();
    private readonly Queue<(string Topic, byte[] Payload)> _messages = new();
    private int _handle;

    public Func<int, PublishFate> Fate { get; set; } = _ => PublishFate.Ack;

    public Action<byte[]> Backend { get; set; } = _ => { };

    /// <summary>Called just before a PUBACK is delivered to the node (arm a power cut here).</summary>
    public Action? BeforeAck { get; set; }

    /// <summary>Called after a payload reached the backend, before anything returns to the node.</summary>
    public Action? AfterStored { get; set; }

    public bool NetworkUp { get; set; } = true;

    public int Publishes { get; private set; }

    public int Connections { get; private set; }

    public bool IsConnected { get; private set; }

    public int Rssi => -70;

    public UplinkStatus Connect(int timeoutMs)
    {
        if (!NetworkUp)
        {
            return UplinkStatus.NoNetwork;
        }

        Connections++;
        IsConnected = true;
        return UplinkStatus.Ok;
    }

    /// <summary>The retained message of a topic the node subscribes to (null: none), delivered right after SUBACK as a broker does.</summary>
    public Func<string, byte[]?> Retained { get; set; } = _ => null;

    public List<string> Subscriptions { get; } = new();

    public UplinkStatus Subscribe(string topic)
    {
        if (!IsConnected)
        {
            return UplinkStatus.NotConnected;
        }

        Subscriptions.Add(topic);
        if (Retained(topic) is { } retained)
        {
            _messages.Enqueue((topic, retained));
        }

        return UplinkStatus.Ok;
    }

    public int Publish(string topic, byte[] payload, int offset, int count)
    {
        if (!IsConnected)
        {
            return -(int)UplinkStatus.NotConnected;
        }

        int h = ++_handle;
        var fate = Fate(Publishes++);
        if (fate is PublishFate.Ack or PublishFate.StoredNoAck)
        {
            Backend(payload.AsSpan(offset, count).ToArray());
            AfterStored?.Invoke();
        }

        switch (fate)
        {
            case PublishFate.Ack or PublishFate.AckLost: _events.Enqueue((h, true, 0)); break;
            case PublishFate.Refuse: _events.Enqueue((h, true, 0x99)); break; // Payload format invalid
            case PublishFate.GiveUp: _events.Enqueue((h, false, -1)); break;
        }

        return h;
    }

    public void Poll(int timeoutMs, IUplinkEvents events)
    {
        while (_messages.TryDequeue(out var m))
        {
            events.OnMessage(m.Topic, m.Payload, 0, m.Payload.Length);
        }

        if (_events.Count == 0)
        {
            Clock?.Advance(timeoutMs); // waited for nothing
            return;
        }

        while (_events.TryDequeue(out var e))
        {
            if (e.Acked)
            {
                BeforeAck?.Invoke();
            }

            events.OnPublished(e.Handle, e.Acked, e.Reason);
        }
    }

    /// <summary>Delivers an event for a handle of an earlier session (a late PUBACK).</summary>
    public void InjectLateAck(int handle) => _events.Enqueue((handle, true, 0));

    public int LastHandle => _handle;

    public CityNode.Host.SimulatedHal.VirtualClock? Clock { get; set; }

    public void Disconnect()
    {
        IsConnected = false;
        _messages.Clear();
        _events.Clear(); // the socket is gone: nothing more arrives from this session
    }
}
