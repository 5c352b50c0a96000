using CityNode.Drivers.Common;
using CityNode.Hal;
using CityNode.Host.SimulatedHal;

namespace CityNode.Drivers.Sht4x.Sim;

/// <summary>
/// An SHT4x at I2C command level (Sensirion SHT4x datasheet, "I2C commands", "Timings", "Conversion
/// of signal output"): single-byte commands; 0xFD / 0xF6 / 0xE0 measure at high / medium / low
/// repeatability and keep the bus NACKed for the maximum duration (8.3 / 4.5 / 1.6 ms); 0x94 soft
/// reset (1 ms); 0x89 serial number. A reply is six bytes, word, CRC, word, CRC (CRC-8 0x31, init
/// 0xFF), read once: a second read, a read before the conversion ends, or a read with nothing
/// asked is NACKed. Values are encoded by inverting T = −45 + 175·S/65535 and RH = −6 + 125·S/65535.
/// Heater commands are not simulated (CityNode does not use them) and are NACKed.
/// Faults: absent, corrupt data words (the CRC then disagrees).
/// </summary>
public sealed class SimSht4x : II2cTarget
{
    /// <summary>Maximum measurement durations, µs, by command.</summary>
    public static readonly IReadOnlyDictionary<byte, int> MeasureMicros = new Dictionary<byte, int>
    {
        [0xFD] = 8300,
        [0xF6] = 4500,
        [0xE0] = 1600,
    };

    private const int SoftResetMicros = 1000;

    private readonly Func<long> _nowMs;
    private readonly Func<(double TemperatureC, double HumidityPercent)> _air;
    private long _busyUntilUs;
    private byte[]? _reply;

    public SimSht4x(Func<long> nowMs, Func<(double TemperatureC, double HumidityPercent)> air, uint serial = 0x0F3A_52C1)
    {
        _nowMs = nowMs;
        _air = air;
        Serial = serial;
    }

    public uint Serial { get; }

    public bool Absent { get; set; }

    /// <summary>Replies whose first data byte is flipped (the CRC no longer matches).</summary>
    public int CorruptReads { get; set; }

    public int Measurements { get; private set; }

    /// <summary>The repeatability command of the last measurement (0 before any).</summary>
    public byte LastMeasureCommand { get; private set; }

    public I2cStatus OnWrite(ReadOnlySpan<byte> d)
    {
        long nowUs = _nowMs() * 1000;
        if (Absent || d.Length != 1 || nowUs < _busyUntilUs)
        {
            return I2cStatus.Nack; // busy: the header is not acknowledged until the conversion or reset is over
        }

        byte cmd = d[0];
        if (MeasureMicros.TryGetValue(cmd, out int micros))
        {
            Measurements++;
            LastMeasureCommand = cmd;
            _busyUntilUs = nowUs + micros;
            var (t, rh) = _air();
            _reply = Words(TemperatureTicks(t), HumidityTicks(rh));
            return I2cStatus.Ok;
        }

        switch (cmd)
        {
            case 0x94:
                _busyUntilUs = nowUs + SoftResetMicros;
                _reply = null;
                return I2cStatus.Ok;
            case 0x89:
                _reply = Words((int)(Serial >> 16), (int)(Serial & 0xFFFF));
                return I2cStatus.Ok;
            default:
                return I2cStatus.Nack;
        }
    }

    public I2cStatus OnRead(Span<byte> buffer)
    {
        if (Absent || _reply is null || _nowMs() * 1000 < _busyUntilUs)
        {
            return I2cStatus.Nack;
        }

        byte[] reply = _reply;
        _reply = null;
        if (CorruptReads > 0)
        {
            CorruptReads--;
            reply[0] ^= 0x10;
        }

        reply.AsSpan(0, Math.Min(reply.Length, buffer.Length)).CopyTo(buffer);
        return reply.Length >= buffer.Length ? I2cStatus.Ok : I2cStatus.Partial;
    }

    /// <summary>The ticks whose conversion is nearest <paramref name="celsius"/> (−45..130 °C).</summary>
    public static int TemperatureTicks(double celsius) => (int)Math.Clamp(Math.Round((celsius + 45) * 65535 / 175), 0, 65535);

    /// <summary>The ticks whose conversion is nearest <paramref name="percent"/> (before the 0..100 clip).</summary>
    public static int HumidityTicks(double percent) => (int)Math.Clamp(Math.Round((percent + 6) * 65535 / 125), 0, 65535);

    private static byte[] Words(int first, int second)
    {
        var b = new byte[6];
        b[0] = (byte)(first >> 8);
        b[1] = (byte)first;
        b[2] = SensirionCrc.Compute(b[0], b[1]);
        b[3] = (byte)(second >> 8);
        b[4] = (byte)second;
        b[5] = SensirionCrc.Compute(b[3], b[4]);
        return b;
    }
}
