using System;
using System.Device.I2c;
using System.IO;
using Iot.Device.Bmxx80.CalibrationData;
using UnitsNet;

namespace Iot.Device.Bmxx80;

/// <summary>
/// What every Bosch BMxx80 binding shares. As upstream, no I2C transfer result is ever looked at: a
/// transfer that fails leaves its buffer as it was (fresh arrays stay zero, ReadByte hands back the
/// register address WriteByte left in I2cDevice's shared byte), so a vanished chip reads ≈ −141 °C
/// and 0x00/0xF3-like status bytes rather than an error. Only a wrong chip id throws (IOException).
/// </summary>
// upstream: nanoframework/nanoFramework.IoT.Device devices/Bmxx80/Bmxx80Base.cs (@2553c572); native: none (managed binding over I2cDevice).
internal abstract class Bmxx80Base : IDisposable
{
    private I2cDevice? _i2cDevice;
    private Sampling _temperatureSampling;
    private Sampling _pressureSampling;

    // upstream: Bmxx80Base.cs ctor: WriteByte(CHIPID 0xD0), ReadByte, IOException on mismatch, then calibration and Reset().
    protected Bmxx80Base(byte deviceId, I2cDevice i2cDevice)
    {
        _i2cDevice = i2cDevice ?? throw new ArgumentNullException(nameof(i2cDevice));
        I2cDevice.WriteByte(0xD0);
        byte signature = I2cDevice.ReadByte();
        if (signature != deviceId)
        {
            throw new IOException("chip id 0x" + signature.ToString("X2") + ", expected 0x" + deviceId.ToString("X2"));
        }

        (CalibrationData, ControlRegister) = this switch
        {
            Bme280 => ((Bmxx80CalibrationData)new Bme280CalibrationData(), (byte)0xF4),
            Bme680 => (new Bme680CalibrationData(), (byte)0x74),
            _ => throw new NotSupportedException("only Bme280 and Bme680 are twinned"),
        };
        CalibrationData.ReadFromDevice(this);
        Reset();
    }

    // upstream: Bmxx80Base.cs CommunicationProtocol.
    public enum CommunicationProtocol
    {
        I2c,
    }

    // upstream: Bmxx80Base.cs Endianness.
    protected internal enum Endianness
    {
        LittleEndian,
        BigEndian,
    }

    // upstream: Bmxx80Base.cs PressureSampling: read-modify-write of osrs_p (bits 4..2) in the control register.
    public Sampling PressureSampling
    {
        get => _pressureSampling;
        set
        {
            byte status = Read8BitsFromRegister(ControlRegister);
            I2cDevice.Write(new[] { ControlRegister, (byte)((status & 0b1110_0011) | ((byte)value << 2)) });
            _pressureSampling = value;
        }
    }

    // upstream: Bmxx80Base.cs TemperatureSampling: read-modify-write of osrs_t (bits 7..5).
    public Sampling TemperatureSampling
    {
        get => _temperatureSampling;
        set
        {
            byte status = Read8BitsFromRegister(ControlRegister);
            I2cDevice.Write(new[] { ControlRegister, (byte)((status & 0b0001_1111) | ((byte)value << 5)) });
            _temperatureSampling = value;
        }
    }

    internal Bmxx80CalibrationData CalibrationData { get; }

    protected double TemperatureFine { get; set; }

    protected virtual int TempCalibrationFactor => 1;

    protected byte ControlRegister { get; }

    protected CommunicationProtocol CommunicationProtocol1 { get; set; }

    // null after Dispose: a later call fails with NullReferenceException, as upstream.
    protected I2cDevice I2cDevice => _i2cDevice!;

    // upstream: Bmxx80Base.cs Reset: soft reset (0xB6 to 0xE0), then the default configuration.
    public void Reset()
    {
        I2cDevice.Write(new byte[] { 0xE0, 0xB6 });
        SetDefaultConfiguration();
    }

    public abstract bool TryReadTemperature(out Temperature temperature);

    public abstract bool TryReadPressure(out Pressure pressure);

    // upstream: Bmxx80Base.Dispose → Dispose(true): disposes the I2cDevice (the port's driver goes with its last device).
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    // upstream: Bmxx80Base.cs Read8BitsFromRegister: WriteByte(register) then ReadByte, results ignored.
    protected internal byte Read8BitsFromRegister(byte register)
    {
        I2cDevice.WriteByte(register);
        return I2cDevice.ReadByte();
    }

    // upstream: Bmxx80Base.cs Read16BitsFromRegister: WriteByte then Read(new byte[2]).
    protected internal ushort Read16BitsFromRegister(byte register, Endianness endianness = Endianness.LittleEndian)
    {
        var bytes = new byte[2];
        I2cDevice.WriteByte(register);
        I2cDevice.Read(bytes);
        return endianness == Endianness.LittleEndian ? (ushort)(bytes[0] | (bytes[1] << 8)) : (ushort)((bytes[0] << 8) | bytes[1]);
    }

    // upstream: Bmxx80Base.cs Read24BitsFromRegister: WriteByte then Read into bytes 1..3 of a zeroed 4-byte array, read as a 32-bit value.
    protected internal uint Read24BitsFromRegister(byte register, Endianness endianness = Endianness.LittleEndian)
    {
        var bytes = new byte[4];
        I2cDevice.WriteByte(register);
        I2cDevice.Read(new SpanByte(bytes).Slice(1));
        return endianness == Endianness.LittleEndian
            ? (uint)(bytes[0] | (bytes[1] << 8) | (bytes[2] << 16) | (bytes[3] << 24))
            : (uint)((bytes[0] << 24) | (bytes[1] << 16) | (bytes[2] << 8) | bytes[3]);
    }

    /// <summary>BME280 datasheet §8.1 / BMP280 §8.1 (double precision): t_fine and °C; the BME680 scales the T3 term by 16.</summary>
    // upstream: Bmx280Base.cs / Bme680.cs TryReadTemperatureCore (the same read at each chip's register): nothing when
    // skipped, else the 20-bit ADC value (msb, lsb, xlsb >> 4), compensated.
    protected bool TryReadTemperatureAt(byte register, out Temperature temperature)
    {
        if (TemperatureSampling == Sampling.Skipped)
        {
            temperature = default;
            return false;
        }

        temperature = CompensateTemperature((int)Read24BitsFromRegister(register, Endianness.BigEndian) >> 4);
        return true;
    }

    // upstream: Bmxx80Base.cs CompensateTemperature (sets TemperatureFine).
    protected Temperature CompensateTemperature(int adcTemperature)
    {
        var cal = CalibrationData;
        double var1 = ((adcTemperature / 16384.0) - (cal.DigT1 / 1024.0)) * cal.DigT2;
        double var2 = (adcTemperature / 131072.0) - (cal.DigT1 / 8192.0);
        var2 *= var2 * cal.DigT3 * TempCalibrationFactor;
        TemperatureFine = var1 + var2;
        return Temperature.FromDegreesCelsius((var1 + var2) / 5120.0);
    }

    // upstream: Bmxx80Base.cs ByteToSampling (>= 5 is UltraHighResolution).
    protected Sampling ByteToSampling(byte value) => value >= 5 ? Sampling.UltraHighResolution : (Sampling)value;

    // upstream: Bmxx80Base.cs SetDefaultConfiguration: pressure then temperature oversampling ×1.
    protected virtual void SetDefaultConfiguration()
    {
        PressureSampling = Sampling.UltraLowPower;
        TemperatureSampling = Sampling.UltraLowPower;
    }

    protected virtual void Dispose(bool disposing)
    {
        _i2cDevice?.Dispose();
        _i2cDevice = null;
    }
}
