using CityNode.Hal;
using CityNode.NanoTwin;

namespace CityNode.Host.SimulatedHal;

/// <summary>A simulated device on the far end of a serial line.</summary>
public interface IUartDevice
{
    /// <summary>Bytes the node sent, complete at <paramref name="nowMs"/>.</summary>
    void OnReceive(ReadOnlySpan<byte> data, long nowMs, SimUart line);

    /// <summary>Lets the device emit what it sends on its own (active mode) up to <paramref name="untilMs"/>.</summary>
    void Produce(long untilMs, SimUart line);
}

/// <summary>
/// A serial line with byte timing: what a device emits arrives at the node one byte every
/// 10 bit times (8N1), on the node's virtual clock. Reads wait (in virtual time) up to their
/// timeout, as a read with a timeout does on the device. Line faults (noise bytes, dropped
/// bytes) are injected here; protocol faults by the devices. As an <see cref="ISerialLine"/> it is
/// the wire a twin board's UART is soldered to: the twin asks when bytes arrive and keeps its own
/// time, so those members never move the clock.
/// </summary>
public sealed class SimUart : IUart, ISerialLine
{
    private readonly VirtualClock _clock;
    private readonly Queue<(long At, byte Value)> _rx = new();
    private readonly Random _random;
    private long _lineFreeAt;

    public SimUart(VirtualClock clock, int baud, int seed = 1)
    {
        _clock = clock;
        ByteMs = 10_000.0 / baud;
        _random = new Random(seed);
    }

    public IUartDevice? Device { get; set; }

    /// <summary>Milliseconds per byte on the line.</summary>
    public double ByteMs { get; }

    /// <summary>Chance that each emitted byte is preceded by a stray noise byte.</summary>
    public double NoiseProbability { get; set; }

    /// <summary>Chance that an emitted byte is lost on the line.</summary>
    public double DropProbability { get; set; }

    public long Now => _clock.MonotonicMs;

    /// <summary>Device side: sends bytes, starting at <paramref name="atMs"/> or when the line is free.</summary>
    public void Emit(ReadOnlySpan<byte> bytes, long atMs)
    {
        double t = Math.Max(atMs, _lineFreeAt);
        foreach (byte b in bytes)
        {
            if (NoiseProbability > 0 && _random.NextDouble() < NoiseProbability)
            {
                _rx.Enqueue(((long)t, (byte)_random.Next(256)));
                t += ByteMs;
            }

            if (!(DropProbability > 0 && _random.NextDouble() < DropProbability))
            {
                _rx.Enqueue(((long)t, b));
            }

            t += ByteMs;
        }

        _lineFreeAt = (long)t;
    }

    public int BytesAvailable
    {
        get
        {
            Device?.Produce(Now, this);
            return _rx.Count(x => x.At <= Now);
        }
    }

    public int Read(byte[] buffer, int offset, int count, int timeoutMs)
    {
        long deadline = Now + Math.Max(0, timeoutMs);
        Device?.Produce(deadline, this);
        if (_rx.Count == 0 || _rx.Peek().At > deadline)
        {
            _clock.Advance(deadline - Now);
            return 0;
        }

        if (_rx.Peek().At > Now)
        {
            _clock.Advance(_rx.Peek().At - Now);
        }

        int n = 0;
        while (n < count && _rx.Count > 0 && _rx.Peek().At <= Now)
        {
            buffer[offset + n++] = _rx.Dequeue().Value;
        }

        return n;
    }

    public void Write(byte[] buffer, int offset, int count)
    {
        // Our own transmission takes line time too.
        _clock.Advance((long)Math.Ceiling(count * ByteMs));
        Device?.OnReceive(buffer.AsSpan(offset, count), Now, this);
    }

    public void DiscardInput()
    {
        Device?.Produce(Now, this);
        while (_rx.Count > 0 && _rx.Peek().At <= Now)
        {
            _rx.Dequeue();
        }
    }

    long ISerialLine.ArrivalOf(int n, long untilMs)
    {
        Device?.Produce(untilMs, this);
        if (n <= 0 || _rx.Count < n)
        {
            return long.MaxValue;
        }

        long at = _rx.ElementAt(n - 1).At;
        return at <= untilMs ? at : long.MaxValue;
    }

    int ISerialLine.Arrived(long nowMs)
    {
        Device?.Produce(nowMs, this);
        return _rx.Count(x => x.At <= nowMs);
    }

    int ISerialLine.Take(byte[] buffer, int offset, int count, long nowMs)
    {
        Device?.Produce(nowMs, this);
        int n = 0;
        while (n < count && _rx.Count > 0 && _rx.Peek().At <= nowMs)
        {
            buffer[offset + n++] = _rx.Dequeue().Value;
        }

        return n;
    }

    // The device sees the bytes complete one byte time each after they start.
    void ISerialLine.Send(byte[] buffer, int offset, int count, long nowMs) =>
        Device?.OnReceive(buffer.AsSpan(offset, count), nowMs + (long)Math.Ceiling(count * ByteMs), this);
}
