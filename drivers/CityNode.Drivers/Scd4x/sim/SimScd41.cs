using CityNode.Hal;
using CityNode.Host.SimulatedHal;

namespace CityNode.Drivers.Scd4x.Sim;

/// <summary>
/// An SCD41 at I2C command level (Sensirion SCD4x datasheet v1.x, §3): 16-bit commands, words
/// followed by CRC-8; power-down, wake-up (not acknowledged), single shot (5 s, busy meanwhile),
/// data-ready status, read measurement (NACK when there is nothing to read), ambient pressure
/// (argument CRC checked), serial number. The NDIR reading depends on pressure: the sensor reports
/// the true CO2 scaled by actual / assumed pressure, so a node that does not pass its pressure reads
/// wrong away from 1013 hPa (as on the real part).
/// Faults: absent, corrupt CRC on reads, never ready, stuck data.
/// </summary>
public sealed class SimScd41 : II2cTarget
{
    private readonly Func<long> _nowMs;
    private readonly Func<(double Co2Ppm, double TemperatureC, double HumidityPercent, double PressurePa)> _air;
    private bool _asleep = true;
    private long _awakeAt;
    private long _busyUntil;
    private ushort _pending;
    private byte[]? _data;
    private long _dataAt;
    private byte[]? _frozen;
    private int _assumedHpa = 1013;

    public SimScd41(Func<long> nowMs, Func<(double, double, double, double)> air)
    {
        _nowMs = nowMs;
        _air = air;
    }

    public bool Absent { get; set; }

    public int CorruptReads { get; set; }

    public bool NeverReady { get; set; }

    public bool Stuck { get; set; }

    public int SingleShots { get; private set; }

    public bool Asleep => _asleep;

    public int AssumedPressureHpa => _assumedHpa;

    public I2cStatus OnWrite(ReadOnlySpan<byte> d)
    {
        if (Absent || d.Length < 2)
        {
            return I2cStatus.Nack;
        }

        long now = _nowMs();
        ushort cmd = (ushort)((d[0] << 8) | d[1]);
        if (_asleep)
        {
            if (cmd == 0x36F6)
            {
                _asleep = false;
                _awakeAt = now + 20;
            }

            return I2cStatus.Nack; // wake_up is never acknowledged; nothing else is heard asleep
        }

        if (now < _awakeAt || (now < _busyUntil && cmd != 0xE4B8))
        {
            return I2cStatus.Nack;
        }

        _pending = cmd;
        switch (cmd)
        {
            case 0x36E0: // power_down
                _asleep = true;
                break;
            case 0x219D: // measure_single_shot
                SingleShots++;
                _busyUntil = now + 5000;
                _dataAt = now + 5000;
                _data = Measure();
                break;
            case 0x3F86: // stop_periodic_measurement
                _busyUntil = now + 500;
                break;
            case 0x3646: // reinit
                _busyUntil = now + 30;
                _data = null;
                break;
            case 0xE000: // set_ambient_pressure
            case 0x2427: // set_sensor_altitude
                if (d.Length != 5 || CityNode.Drivers.Common.SensirionCrc.Compute(d[2], d[3]) != d[4])
                {
                    return I2cStatus.Nack;
                }

                if (cmd == 0xE000)
                {
                    _assumedHpa = (d[2] << 8) | d[3];
                }

                break;
        }

        return I2cStatus.Ok;
    }

    public I2cStatus OnRead(Span<byte> buffer)
    {
        if (Absent || _asleep)
        {
            return I2cStatus.Nack;
        }

        long now = _nowMs();
        byte[] reply;
        switch (_pending)
        {
            case 0xE4B8:
                reply = Words(!NeverReady && _data is not null && now >= _dataAt ? 0x8006 : 0x8000);
                break;
            case 0xEC05:
                if (_data is null || now < _dataAt || NeverReady)
                {
                    return I2cStatus.Nack;
                }

                if (Stuck)
                {
                    _frozen ??= _data;
                }

                reply = Stuck ? _frozen! : _data;
                _data = null;
                break;
            case 0x3682:
                reply = Words(0xF896, 0x9F07, 0x3BB0);
                break;
            default:
                return I2cStatus.Nack;
        }

        reply = (byte[])reply.Clone();
        if (CorruptReads > 0)
        {
            CorruptReads--;
            reply[0] ^= 0x04;
        }

        reply.AsSpan(0, Math.Min(reply.Length, buffer.Length)).CopyTo(buffer);
        return reply.Length >= buffer.Length ? I2cStatus.Ok : I2cStatus.Partial;
    }

    private byte[] Measure()
    {
        var (co2, t, rh, pa) = _air();
        // NDIR: the sensor assumes _assumedHpa; the gas density it sees follows the real pressure.
        double reported = co2 * (pa / 100.0) / _assumedHpa;
        int w0 = (int)Math.Round(reported);
        int w1 = (int)Math.Round((t + 45) * 65536 / 175);
        int w2 = (int)Math.Round(rh * 65536 / 100);
        return Words(w0, w1, w2);
    }

    public static byte[] Words(params int[] words)
    {
        var b = new byte[words.Length * 3];
        for (int i = 0; i < words.Length; i++)
        {
            b[i * 3] = (byte)(words[i] >> 8);
            b[(i * 3) + 1] = (byte)words[i];
            b[(i * 3) + 2] = CityNode.Drivers.Common.SensirionCrc.Compute(b[i * 3], b[(i * 3) + 1]);
        }

        return b;
    }
}
