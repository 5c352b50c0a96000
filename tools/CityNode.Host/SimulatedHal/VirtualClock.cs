using CityNode.Hal;

namespace CityNode.Host.SimulatedHal;

/// <summary>
/// A node's clock in the simulation: virtual time that only moves when the node waits or sleeps,
/// so days of node life run in seconds and every delay is exact and repeatable.
/// </summary>
public sealed class VirtualClock : IClock, CityNode.NanoTwin.ITwinTime
{
    private long _ms;

    public VirtualClock(long unixSeconds)
    {
        _ms = unixSeconds * 1000;
    }

    public long MonotonicMs => Interlocked.Read(ref _ms);

    public long UnixSeconds => MonotonicMs / 1000;

    public long UnixMilliseconds => MonotonicMs;

    public DateTimeOffset Now => DateTimeOffset.FromUnixTimeMilliseconds(MonotonicMs);

    private long _waited;

    /// <summary>Waiting costs no real time: the node's time jumps ahead.</summary>
    public void Delay(int milliseconds)
    {
        if (milliseconds > 0)
        {
            Interlocked.Add(ref _ms, milliseconds);
            Interlocked.Add(ref _waited, milliseconds);
        }
    }

    public long WaitedMs => Interlocked.Read(ref _waited);

    /// <summary>A light sleep costs no real time either.</summary>
    public void Doze(int milliseconds) => Advance(milliseconds);

    public void Advance(long milliseconds) => Interlocked.Add(ref _ms, Math.Max(0, milliseconds));

    long CityNode.NanoTwin.ITwinTime.NowMs => MonotonicMs;

    public void SetUnixMs(long unixMs) => Interlocked.Exchange(ref _ms, unixMs);
}
