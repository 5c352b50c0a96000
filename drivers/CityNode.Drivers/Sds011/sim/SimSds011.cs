using CityNode.Host.SimulatedHal;

namespace CityNode.Drivers.Sds011.Sim;

/// <summary>
/// An SDS011 at protocol level (Laser Dust Sensor Control Protocol V1.3): starts in active mode,
/// reporting every second; answers "set reporting mode", "set sleep/work" and "query data"
/// commands for its id or FF FF, with checksummed 10-byte frames; a command with a bad checksum is
/// ignored; asleep it answers only the wake command. For 15 s after waking the laser and fan are
/// not settled and it reports 30 % high (as the real part does while its fan spins up).
/// Faults: unplugged, corrupt checksums, wrong tail byte, frozen values.
/// </summary>
public sealed class SimSds011 : IUartDevice
{
    private readonly Func<(double Pm25, double Pm10)> _air;
    private readonly ushort _id;
    private bool _queryMode;
    private bool _asleep;
    private long _awakeSince = long.MinValue / 2;
    private long _nextActive;
    private (int, int)? _frozen;

    public SimSds011(Func<(double, double)> air, ushort id = 0xA1B2)
    {
        _air = air;
        _id = id;
    }

    public bool Unplugged { get; set; }

    public int CorruptNext { get; set; }

    public int BadTailNext { get; set; }

    public bool Stuck { get; set; }

    public bool Asleep => _asleep;

    public bool QueryMode => _queryMode;

    public void OnReceive(ReadOnlySpan<byte> d, long nowMs, SimUart line)
    {
        if (Unplugged || d.Length != 19 || d[0] != 0xAA || d[1] != 0xB4 || d[18] != 0xAB)
        {
            return;
        }

        int sum = 0;
        for (int i = 2; i <= 16; i++)
        {
            sum += d[i];
        }

        ushort target = (ushort)(d[15] | (d[16] << 8));
        if ((byte)sum != d[17] || (target != 0xFFFF && target != _id))
        {
            return;
        }

        byte cmd = d[2];
        bool set = d[3] == 1;
        switch (cmd)
        {
            case 6:
                if (set)
                {
                    bool work = d[4] == 1;
                    if (work && _asleep)
                    {
                        _awakeSince = nowMs;
                        _nextActive = nowMs + 1000;
                    }

                    _asleep = !work;
                }

                Reply(line, nowMs, 6, d[3], (byte)(_asleep ? 0 : 1));
                break;
            case 2 when !_asleep:
                if (set)
                {
                    _queryMode = d[4] == 1;
                }

                Reply(line, nowMs, 2, d[3], (byte)(_queryMode ? 1 : 0));
                break;
            case 4 when !_asleep:
                SendData(line, nowMs + 5);
                break;
        }
    }

    public void Produce(long untilMs, SimUart line)
    {
        if (Unplugged || _asleep || _queryMode)
        {
            return;
        }

        if (_nextActive == 0)
        {
            _nextActive = line.Now + 1000; // powered up just now
        }

        while (_nextActive <= untilMs)
        {
            SendData(line, _nextActive);
            _nextActive += 1000;
        }
    }

    private void Reply(SimUart line, long now, byte cmd, byte set, byte value) =>
        line.Emit(Frame(0xC5, cmd, set, value, 0), now + 5);

    private void SendData(SimUart line, long at)
    {
        var (pm25, pm10) = _air();
        double settling = at - _awakeSince < 15_000 ? 1.3 : 1.0;
        int a = (int)Math.Round(pm25 * 10 * settling);
        int b = (int)Math.Round(pm10 * 10 * settling);
        if (Stuck)
        {
            _frozen ??= (a, b);
            (a, b) = _frozen.Value;
        }

        line.Emit(Frame(0xC0, (byte)a, (byte)(a >> 8), (byte)b, (byte)(b >> 8)), at);
    }

    private byte[] Frame(byte kind, byte d1, byte d2, byte d3, byte d4)
    {
        var f = new byte[] { 0xAA, kind, d1, d2, d3, d4, (byte)_id, (byte)(_id >> 8), 0, 0xAB };
        f[8] = (byte)(f[2] + f[3] + f[4] + f[5] + f[6] + f[7]);
        if (CorruptNext > 0)
        {
            CorruptNext--;
            f[8] ^= 0x11;
        }

        if (BadTailNext > 0)
        {
            BadTailNext--;
            f[9] = 0xAC;
        }

        return f;
    }
}
