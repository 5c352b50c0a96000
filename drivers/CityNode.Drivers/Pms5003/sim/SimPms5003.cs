using CityNode.Host.SimulatedHal;

namespace CityNode.Drivers.Pms5003.Sim;

/// <summary>
/// A PMS5003 at protocol level (Plantower data manual, appendices I and II): starts in active
/// mode sending a 32-byte frame every second; answers 0xE1 (mode) and 0xE4 (sleep) with the 8-byte
/// answer frame, 0xE2 (read) in passive mode with one data frame; ignores commands whose checksum
/// is wrong; sends nothing while asleep. For 30 s after waking, the fan is not at speed and the
/// concentrations it reports are too low (half), as on the real part.
/// Faults: unplugged (silent), corrupt checksums, truncated frames, a non-zero error code, a frozen
/// frame (stuck), plus the line faults of <see cref="SimUart"/> (noise, dropped bytes).
/// </summary>
public sealed class SimPms5003 : IUartDevice
{
    private readonly Func<(double Pm1, double Pm25, double Pm10)> _air;
    private bool _passive;
    private bool _asleep;
    private long _awakeSince;
    private long _nextActiveFrame;
    private byte[]? _frozen;
    private int _counter;

    public SimPms5003(Func<(double, double, double)> air)
    {
        _air = air;
    }

    public bool Unplugged { get; set; }

    /// <summary>Corrupt the checksum of the next N frames.</summary>
    public int CorruptNext { get; set; }

    /// <summary>Cut the next N frames short.</summary>
    public int TruncateNext { get; set; }

    public byte ErrorCode { get; set; }

    public bool Stuck { get; set; }

    public int FramesSent { get; private set; }

    public bool Asleep => _asleep;

    public bool Passive => _passive;

    public void OnReceive(ReadOnlySpan<byte> data, long nowMs, SimUart line)
    {
        if (Unplugged || data.Length != 7 || data[0] != 0x42 || data[1] != 0x4D)
        {
            return;
        }

        int sum = data[0] + data[1] + data[2] + data[3] + data[4];
        if (((data[5] << 8) | data[6]) != (sum & 0xFFFF))
        {
            return;
        }

        byte cmd = data[2];
        int value = (data[3] << 8) | data[4];
        switch (cmd)
        {
            case 0xE4 when value == 1:
                if (_asleep)
                {
                    _asleep = false;
                    _awakeSince = nowMs;
                    _nextActiveFrame = nowMs + 1000;
                }

                break;
            case 0xE4 when value == 0:
                if (!_asleep)
                {
                    Answer(line, nowMs, cmd, 0);
                }

                _asleep = true;
                break;
            case 0xE1 when !_asleep:
                _passive = value == 0;
                _nextActiveFrame = nowMs + 1000;
                Answer(line, nowMs, cmd, value);
                break;
            case 0xE2 when !_asleep && _passive:
                SendFrame(line, nowMs + 10);
                break;
        }
    }

    public void Produce(long untilMs, SimUart line)
    {
        if (Unplugged || _asleep || _passive)
        {
            return;
        }

        if (_nextActiveFrame == 0)
        {
            _nextActiveFrame = line.Now + 1000; // powered up just now
        }

        while (_nextActiveFrame <= untilMs)
        {
            SendFrame(line, _nextActiveFrame);
            _nextActiveFrame += 1000;
        }
    }

    private static void Answer(SimUart line, long now, byte cmd, int value)
    {
        // Appendix II answer frame: 42 4D 00 04 CMD DATA checksum.
        var f = new byte[8] { 0x42, 0x4D, 0x00, 0x04, cmd, (byte)value, 0, 0 };
        int sum = f.Take(6).Sum(b => b);
        f[6] = (byte)(sum >> 8);
        f[7] = (byte)sum;
        line.Emit(f, now + 5);
    }

    private void SendFrame(SimUart line, long at)
    {
        byte[] frame = Stuck && _frozen is not null ? _frozen : Build(at);
        if (Stuck)
        {
            _frozen ??= frame;
        }

        byte[] wire = (byte[])frame.Clone();
        if (CorruptNext > 0)
        {
            CorruptNext--;
            wire[30] ^= 0x5A;
        }

        if (TruncateNext > 0)
        {
            TruncateNext--;
            wire = wire[..17];
        }

        FramesSent++;
        line.Emit(wire, at);
    }

    private byte[] Build(long at)
    {
        var (pm1, pm25, pm10) = _air();
        double fan = at - _awakeSince < 30_000 ? 0.5 : 1.0;
        int[] words = new int[13];
        int a1 = (int)Math.Round(pm1 * fan);
        int a25 = (int)Math.Round(pm25 * fan);
        int a10 = (int)Math.Round(pm10 * fan);
        words[0] = a1; words[1] = a25; words[2] = a10;        // CF=1, standard particle
        words[3] = a1; words[4] = a25; words[5] = a10;        // atmospheric environment
        // Particle counts per 0.1 L: move with the mass and a counter, so frames never repeat on a working part.
        _counter++;
        words[6] = (a1 * 180) + (_counter % 7);
        words[7] = (a1 * 55) + (_counter % 5);
        words[8] = (a25 * 12) + (_counter % 3);
        words[9] = a25 * 2;
        words[10] = a10 / 2;
        words[11] = a10 / 5;
        words[12] = (0x91 << 8) | ErrorCode;                    // version, error code
        var f = new byte[32];
        f[0] = 0x42; f[1] = 0x4D; f[2] = 0x00; f[3] = 28;
        for (int i = 0; i < 13; i++)
        {
            f[4 + (2 * i)] = (byte)(words[i] >> 8);
            f[5 + (2 * i)] = (byte)words[i];
        }

        int sum = 0;
        for (int i = 0; i < 30; i++)
        {
            sum += f[i];
        }

        f[30] = (byte)(sum >> 8);
        f[31] = (byte)sum;
        return f;
    }
}
