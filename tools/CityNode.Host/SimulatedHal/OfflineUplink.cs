using CityNode.Hal;

namespace CityNode.Host.SimulatedHal;

/// <summary>An uplink whose network never comes up (for offline-capacity figures); each attempt costs the modelled connect time.</summary>
public sealed class OfflineUplink : IUplink
{
    private readonly IClock _clock;

    public OfflineUplink(IClock clock) => _clock = clock;

    public bool IsConnected => false;

    public int Rssi => 0;

    public UplinkStatus Connect(int timeoutMs)
    {
        _clock.Delay(timeoutMs);
        return UplinkStatus.NoNetwork;
    }

    public UplinkStatus Subscribe(string topic) => UplinkStatus.NotConnected;

    public int Publish(string topic, byte[] payload, int offset, int count) => -(int)UplinkStatus.NotConnected;

    public void Poll(int timeoutMs, IUplinkEvents events) => _clock.Delay(timeoutMs);

    public void Disconnect()
    {
    }
}
