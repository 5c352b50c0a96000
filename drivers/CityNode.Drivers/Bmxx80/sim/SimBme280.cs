using CityNode.Hal;
using CityNode.Host.SimulatedHal;

namespace CityNode.Drivers.Bmxx80.Sim;

/// <summary>
/// A BME280 at register level (Bosch BST-BME280-DS002): chip id 0x60 at 0xD0, soft reset 0xB6 at
/// 0xE0, trimming parameters at 0x88–0xA1 and 0xE1–0xE7, ctrl_hum (0xF2, effective after the next
/// ctrl_meas write, §5.4.3), status (0xF3: bit 3 measuring, bit 0 im_update), ctrl_meas (0xF4:
/// osrs_t, osrs_p, mode), config (0xF5), and the raw ADC registers 0xF7–0xFE. A forced-mode write
/// starts a conversion that lasts t_measure (§9.1) on the node's clock, then returns to sleep mode.
/// The raw values are computed from the physical values the environment supplies by inverting the
/// datasheet's compensation formulas (§4.2.3, §8.1) by bisection, and truncated to the resolution
/// the oversampling gives (16 bits at ×1 up to 20 bits at ×16, §3.4.1–3.4.2), so the real driver
/// (Iot.Device.Bindings' Bme280) reads back what a chip in that air would report.
/// Faults: absent (no ACK), wrong chip id, conversion stuck (measuring bit never clears).
/// </summary>
public sealed class SimBme280 : II2cTarget
{
    public const byte ChipId = 0x60;
    public const byte RegCalib00 = 0x88;
    public const byte RegChipId = 0xD0;
    public const byte RegReset = 0xE0;
    public const byte RegCalib26 = 0xE1;
    public const byte RegCtrlHum = 0xF2;
    public const byte RegStatus = 0xF3;
    public const byte RegCtrlMeas = 0xF4;
    public const byte RegConfig = 0xF5;
    public const byte RegPressMsb = 0xF7;
    public const byte ResetCommand = 0xB6;

    // Trimming parameters of one production BME280 (read from a breakout board); the temperature
    // and pressure ones are the worked example of the BMP280 datasheet (BST-BMP280-DS001 §3.12).
    public ushort DigT1 { get; init; } = 27504;
    public short DigT2 { get; init; } = 26435;
    public short DigT3 { get; init; } = -1000;
    public ushort DigP1 { get; init; } = 36477;
    public short DigP2 { get; init; } = -10685;
    public short DigP3 { get; init; } = 3024;
    public short DigP4 { get; init; } = 2855;
    public short DigP5 { get; init; } = 140;
    public short DigP6 { get; init; } = -7;
    public short DigP7 { get; init; } = 15500;
    public short DigP8 { get; init; } = -14600;
    public short DigP9 { get; init; } = 6000;
    public byte DigH1 { get; init; } = 75;
    public short DigH2 { get; init; } = 362;
    public byte DigH3 { get; init; } = 0;
    public short DigH4 { get; init; } = 313;
    public short DigH5 { get; init; } = 50;
    public sbyte DigH6 { get; init; } = 30;

    private readonly byte[] _regs = new byte[256];
    private readonly Func<long> _nowMs;
    private readonly Func<(double TemperatureC, double HumidityPercent, double PressurePa)> _environment;
    private byte _pointer;
    private byte _ctrlHumPending;
    private long _measuringUntil = long.MinValue;
    private (double T, double H, double P) _sampled;

    public SimBme280(Func<long> nowMs, Func<(double, double, double)> environment)
    {
        _nowMs = nowMs;
        _environment = environment;
        LoadTrimming();
    }

    /// <summary>Does not acknowledge its address (unplugged, dead, wrong address).</summary>
    public bool Absent { get; set; }

    /// <summary>Answers as a different chip (e.g. 0x58, a BMP280).</summary>
    public byte? WrongChipId { get; set; }

    /// <summary>Starts conversions that never finish.</summary>
    public bool StuckMeasuring { get; set; }

    /// <summary>Conversions completed.</summary>
    public int Conversions { get; private set; }

    public I2cStatus OnWrite(ReadOnlySpan<byte> data)
    {
        if (Absent)
        {
            return I2cStatus.Nack;
        }

        if (data.Length == 0)
        {
            return I2cStatus.Ok;
        }

        _pointer = data[0];
        // §6.2.1: a multi-byte write is a sequence of (register address, data) pairs.
        for (int i = 0; i + 1 < data.Length; i += 2)
        {
            WriteRegister(data[i], data[i + 1]);
        }

        return I2cStatus.Ok;
    }

    public I2cStatus OnRead(Span<byte> buffer)
    {
        if (Absent)
        {
            return I2cStatus.Nack;
        }

        // §6.2.2: reads auto-increment from the register pointer.
        for (int i = 0; i < buffer.Length; i++)
        {
            buffer[i] = ReadRegister(_pointer++);
        }

        return I2cStatus.Ok;
    }

    private byte ReadRegister(byte reg)
    {
        CompleteConversionIfDue();
        return reg switch
        {
            RegChipId => WrongChipId ?? ChipId,
            RegStatus => (byte)(Measuring ? 0x08 : 0x00),
            _ => _regs[reg],
        };
    }

    private bool Measuring => StuckMeasuring ? _measuringUntil != long.MinValue : _nowMs() < _measuringUntil;

    private void WriteRegister(byte reg, byte value)
    {
        CompleteConversionIfDue();
        switch (reg)
        {
            case RegReset:
                if (value == ResetCommand)
                {
                    Array.Clear(_regs);
                    LoadTrimming();
                    _ctrlHumPending = 0;
                    _measuringUntil = long.MinValue;
                }

                break;
            case RegCtrlHum:
                _ctrlHumPending = (byte)(value & 0x07);
                break;
            case RegCtrlMeas:
                _regs[RegCtrlHum] = _ctrlHumPending;
                _regs[RegCtrlMeas] = value;
                int mode = value & 0x03;
                if (mode == 1 || mode == 2)
                {
                    // The chip samples the air when the conversion starts; results appear at the end.
                    _sampled = _environment();
                    _measuringUntil = _nowMs() + MeasurementTimeMs();
                }

                break;
            case RegConfig:
                _regs[RegConfig] = value;
                break;
            default:
                // Trimming and data registers are read-only.
                break;
        }
    }

    /// <summary>t_measure (§9.1, typical): 1 + 2·osrs_t + (2·osrs_p + 0.5) + (2·osrs_h + 0.5) ms, rounded up.</summary>
    private int MeasurementTimeMs()
    {
        double t = 1.0;
        int ot = Oversampling(_regs[RegCtrlMeas] >> 5);
        int op = Oversampling((_regs[RegCtrlMeas] >> 2) & 0x07);
        int oh = Oversampling(_regs[RegCtrlHum] & 0x07);
        t += 2.0 * ot;
        if (op > 0)
        {
            t += (2.0 * op) + 0.5;
        }

        if (oh > 0)
        {
            t += (2.0 * oh) + 0.5;
        }

        return (int)Math.Ceiling(t);
    }

    private static int Oversampling(int field) => field switch { 0 => 0, 1 => 1, 2 => 2, 3 => 4, 4 => 8, _ => 16 };

    private void CompleteConversionIfDue()
    {
        if (_measuringUntil == long.MinValue || StuckMeasuring || _nowMs() < _measuringUntil)
        {
            return;
        }

        _measuringUntil = long.MinValue;
        _regs[RegCtrlMeas] = (byte)(_regs[RegCtrlMeas] & 0xFC); // back to sleep mode
        Convert();
    }

    private void Convert()
    {
        var (temperature, humidity, pressure) = _sampled;
        int ot = Oversampling(_regs[RegCtrlMeas] >> 5);
        int op = Oversampling((_regs[RegCtrlMeas] >> 2) & 0x07);
        int oh = Oversampling(_regs[RegCtrlHum] & 0x07);

        // §4.1: a skipped measurement reads 0x80000 (T, P) or 0x8000 (H).
        int adcT = ot == 0 ? 0x80000 : Truncate(InvertTemperature(temperature), ot);
        double tFine = TFine(adcT);
        int adcP = op == 0 ? 0x80000 : Truncate(InvertPressure(pressure, (int)tFine), op);
        int adcH = oh == 0 ? 0x8000 : InvertHumidity(humidity, tFine);

        Put20(RegPressMsb, adcP);
        Put20(RegPressMsb + 3, adcT);
        _regs[0xFD] = (byte)(adcH >> 8);
        _regs[0xFE] = (byte)adcH;
        Conversions++;
    }

    /// <summary>With oversampling ×2^k the ADC resolves 16 + k bits of the 20-bit field (§3.4.1).</summary>
    private static int Truncate(int adc20, int oversampling)
    {
        int bits = 16 + (int)Math.Log2(oversampling);
        int drop = 20 - bits;
        return (adc20 >> drop) << drop;
    }

    private void Put20(int reg, int value)
    {
        _regs[reg] = (byte)(value >> 12);
        _regs[reg + 1] = (byte)(value >> 4);
        _regs[reg + 2] = (byte)((value & 0x0F) << 4);
    }

    /// <summary>§8.1, double precision: t_fine from adc_T.</summary>
    public double TFine(int adcT)
    {
        double var1 = ((adcT / 16384.0) - (DigT1 / 1024.0)) * DigT2;
        double var2 = ((adcT / 131072.0) - (DigT1 / 8192.0)) * ((adcT / 131072.0) - (DigT1 / 8192.0)) * DigT3;
        return var1 + var2;
    }

    /// <summary>§8.1: temperature in °C.</summary>
    public double CompensateTemperature(int adcT) => TFine(adcT) / 5120.0;

    /// <summary>§8.2, 64-bit integer: pressure in Pa (the binding uses this form).</summary>
    public double CompensatePressure(int adcP, int tFine)
    {
        long var1 = (long)tFine - 128000;
        long var2 = var1 * var1 * DigP6;
        var2 += (var1 * DigP5) << 17;
        var2 += (long)DigP4 << 35;
        var1 = ((var1 * var1 * DigP3) >> 8) + ((var1 * DigP2) << 12);
        var1 = (((1L << 47) + var1) * DigP1) >> 33;
        if (var1 == 0)
        {
            return 0;
        }

        long p = 1048576 - adcP;
        p = (((p << 31) - var2) * 3125) / var1;
        var1 = (DigP9 * (p >> 13) * (p >> 13)) >> 25;
        var2 = (DigP8 * p) >> 19;
        p = ((p + var1 + var2) >> 8) + ((long)DigP7 << 4);
        return p / 256.0;
    }

    /// <summary>§8.1, double precision: relative humidity in %.</summary>
    public double CompensateHumidity(int adcH, double tFine)
    {
        double h = tFine - 76800.0;
        h = (adcH - ((DigH4 * 64.0) + (DigH5 / 16384.0 * h))) *
            (DigH2 / 65536.0 * (1.0 + (DigH6 / 67108864.0 * h * (1.0 + (DigH3 / 67108864.0 * h)))));
        h *= 1.0 - (DigH1 * h / 524288.0);
        return Math.Clamp(h, 0, 100);
    }

    private int InvertTemperature(double celsius) => Bisect(0, (1 << 20) - 1, a => CompensateTemperature(a), celsius, increasing: true);

    private int InvertPressure(double pascal, int tFine) => Bisect(0, (1 << 20) - 1, a => CompensatePressure(a, tFine), pascal, increasing: false);

    private int InvertHumidity(double percent, double tFine) => Bisect(0, 0xFFFF, a => CompensateHumidity(a, tFine), percent, increasing: true);

    /// <summary>The ADC code whose compensated value is closest to the target (the formulas are monotonic).</summary>
    private static int Bisect(int lo, int hi, Func<int, double> f, double target, bool increasing)
    {
        int a = lo;
        int b = hi;
        while (b - a > 1)
        {
            int mid = a + ((b - a) / 2);
            bool below = increasing ? f(mid) < target : f(mid) > target;
            if (below)
            {
                a = mid;
            }
            else
            {
                b = mid;
            }
        }

        return Math.Abs(f(a) - target) <= Math.Abs(f(b) - target) ? a : b;
    }

    private void LoadTrimming()
    {
        Put16(0x88, DigT1);
        Put16(0x8A, (ushort)DigT2);
        Put16(0x8C, (ushort)DigT3);
        Put16(0x8E, DigP1);
        Put16(0x90, (ushort)DigP2);
        Put16(0x92, (ushort)DigP3);
        Put16(0x94, (ushort)DigP4);
        Put16(0x96, (ushort)DigP5);
        Put16(0x98, (ushort)DigP6);
        Put16(0x9A, (ushort)DigP7);
        Put16(0x9C, (ushort)DigP8);
        Put16(0x9E, (ushort)DigP9);
        _regs[0xA1] = DigH1;
        Put16(0xE1, (ushort)DigH2);
        _regs[0xE3] = DigH3;
        // §4.2.2: dig_H4 = 0xE4[7:0] << 4 | 0xE5[3:0]; dig_H5 = 0xE6[7:0] << 4 | 0xE5[7:4].
        _regs[0xE4] = (byte)(DigH4 >> 4);
        _regs[0xE5] = (byte)((DigH4 & 0x0F) | ((DigH5 & 0x0F) << 4));
        _regs[0xE6] = (byte)(DigH5 >> 4);
        _regs[0xE7] = (byte)DigH6;
    }

    private void Put16(int reg, ushort v)
    {
        _regs[reg] = (byte)v;
        _regs[reg + 1] = (byte)(v >> 8);
    }
}
