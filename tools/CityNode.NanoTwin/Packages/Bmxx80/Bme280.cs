using System;
using System.Device.I2c;
using System.IO;
using CityNode.NanoTwin;
using Iot.Device.Bmxx80.CalibrationData;
using Iot.Device.Bmxx80.FilteringMode;
using Iot.Device.Bmxx80.PowerMode;
using Iot.Device.Bmxx80.ReadResult;
using UnitsNet;

namespace Iot.Device.Bmxx80;

/// <summary>The BMP280/BME280 register map (ctrl_meas 0xF4, status 0xF3, config 0xF5, data 0xF7..) and their conversions.</summary>
// upstream: nanoframework/nanoFramework.IoT.Device devices/Bmxx80/Bmx280Base.cs; native: none (managed binding).
internal abstract class Bmx280Base : Bmxx80Base
{
    public const byte DefaultI2cAddress = 0x77;
    public const byte SecondaryI2cAddress = 0x76;

    // upstream: Bmx280Base.cs OsToMeasCycles: ms per measurement by oversampling (the binding's figures).
    protected static readonly int[] OsToMeasCycles = { 0, 7, 9, 14, 23, 44 };

    private Bmx280FilteringMode _filteringMode;
    private StandbyTime _standbyTime;

    protected Bmx280Base(byte deviceId, I2cDevice i2cDevice)
        : base(deviceId, i2cDevice)
    {
    }

    // upstream: Bmx280Base.cs FilterMode: read-modify-write of config bits 4..2.
    public Bmx280FilteringMode FilterMode
    {
        get => _filteringMode;
        set
        {
            byte current = Read8BitsFromRegister(0xF5);
            I2cDevice.Write(new[] { (byte)0xF5, (byte)((current & 0b1110_0011) | ((byte)value << 2)) });
            _filteringMode = value;
        }
    }

    // upstream: Bmx280Base.cs StandbyTime: read-modify-write of config bits 7..5.
    public StandbyTime StandbyTime
    {
        get => _standbyTime;
        set
        {
            byte current = Read8BitsFromRegister(0xF5);
            I2cDevice.Write(new[] { (byte)0xF5, (byte)((current & 0b0001_1111) | ((byte)value << 5)) });
            _standbyTime = value;
        }
    }

    public override bool TryReadTemperature(out Temperature temperature) => TryReadTemperatureCore(out temperature);

    public override bool TryReadPressure(out Pressure pressure) => TryReadPressureCore(out pressure);

    // upstream: Bmx280Base.cs ReadPowerMode: mode bits 01 (also forced on the chip) throw IOException.
    public Bmx280PowerMode ReadPowerMode()
    {
        int mode = Read8BitsFromRegister(ControlRegister) & 0b11;
        return mode == 1 ? throw new IOException("power mode bits 01") : (Bmx280PowerMode)mode;
    }

    // upstream: Bmx280Base.cs ReadStatus: status bit 3 measuring, bit 0 im_update — from whatever byte the read left.
    public DeviceStatus ReadStatus()
    {
        byte status = Read8BitsFromRegister(0xF3);
        return new DeviceStatus { Measuring = ((status >> 3) & 1) == 1, ImageUpdating = (status & 1) == 1 };
    }

    // upstream: Bmx280Base.cs SetPowerMode: read-modify-write of the mode bits.
    public void SetPowerMode(Bmx280PowerMode powerMode)
    {
        byte read = Read8BitsFromRegister(ControlRegister);
        I2cDevice.Write(new[] { ControlRegister, (byte)((read & 0b1111_1100) | (byte)powerMode) });
    }

    // upstream: Bmx280Base.cs GetMeasurementDuration (ms).
    public virtual int GetMeasurementDuration() => OsToMeasCycles[(int)PressureSampling] + OsToMeasCycles[(int)TemperatureSampling];

    // upstream: Bmx280Base.cs SetDefaultConfiguration: base, then filter off and t_sb 125 ms.
    protected override void SetDefaultConfiguration()
    {
        base.SetDefaultConfiguration();
        FilterMode = Bmx280FilteringMode.Off;
        StandbyTime = StandbyTime.Ms125;
    }

    // upstream: Bmx280Base.cs TryReadTemperatureCore: temp_msb..xlsb (0xFA), 20 bits.
    protected bool TryReadTemperatureCore(out Temperature temperature) => TryReadTemperatureAt(0xFA, out temperature);

    // upstream: Bmx280Base.cs TryReadPressureCore: temperature first (t_fine) unless told not to, then press_msb..xlsb (0xF7).
    protected bool TryReadPressureCore(out Pressure pressure, bool skipTempFineRead = false)
    {
        if (PressureSampling == Sampling.Skipped)
        {
            pressure = default;
            return false;
        }

        if (!skipTempFineRead)
        {
            TryReadTemperatureCore(out _);
        }

        pressure = CompensatePressure((int)Read24BitsFromRegister(0xF7, Endianness.BigEndian) >> 4);
        return true;
    }

    /// <summary>BMP280/BME280 datasheet §8.1, double precision: Pa from adc_P and t_fine (0 when var1 is 0).</summary>
    private Pressure CompensatePressure(long adcPressure)
    {
        var c = CalibrationData;
        double v1 = (TemperatureFine / 2.0) - 64000.0;
        double v2 = v1 * v1 * c.DigP6 / 32768.0;
        v2 += v1 * c.DigP5 * 2.0;
        v2 = (v2 / 4.0) + (c.DigP4 * 65536.0);
        v1 = ((c.DigP3 * v1 * v1 / 524288.0) + (c.DigP2 * v1)) / 524288.0;
        v1 = (1.0 + (v1 / 32768.0)) * c.DigP1;
        if (v1 == 0.0)
        {
            return Pressure.FromPascals(0);
        }

        double p = 1048576.0 - adcPressure;
        p = (p - (v2 / 4096.0)) * 6250.0 / v1;
        v1 = c.DigP9 * p * p / 2147483648.0;
        v2 = p * c.DigP8 / 32768.0;
        return Pressure.FromPascals(p + ((v1 + v2 + c.DigP7) / 16.0));
    }
}

/// <summary>BME280: temperature, pressure and humidity (chip id 0x60).</summary>
// upstream: nanoframework/nanoFramework.IoT.Device devices/Bmxx80/Bme280.cs; native: none (managed binding).
internal class Bme280 : Bmx280Base
{
    private Sampling _humiditySampling;

    // upstream: Bme280.cs ctor (chip id 0x60).
    public Bme280(I2cDevice i2cDevice)
        : base(0x60, i2cDevice)
    {
        CommunicationProtocol1 = CommunicationProtocol.I2c;
    }

    // upstream: Bme280.cs HumiditySampling: osrs_h in ctrl_hum (0xF2), then ctrl_meas rewritten so it takes effect (datasheet §5.4.3).
    public Sampling HumiditySampling
    {
        get => _humiditySampling;
        set
        {
            if (value > Sampling.UltraHighResolution)
            {
                throw new ArgumentOutOfRangeException(nameof(value));
            }

            byte status = Read8BitsFromRegister(0xF2);
            I2cDevice.Write(new[] { (byte)0xF2, (byte)((status & 0b1111_1000) | (byte)value) });
            byte measure = Read8BitsFromRegister(0xF4);
            I2cDevice.Write(new[] { (byte)0xF4, measure });
            _humiditySampling = value;
        }
    }

    private Bme280CalibrationData Calibration => (Bme280CalibrationData)CalibrationData;

    public bool TryReadHumidity(out RelativeHumidity humidity) => TryReadHumidityCore(out humidity);

    // upstream: Bme280.cs GetMeasurementDuration: pressure + temperature + humidity (ms).
    public override int GetMeasurementDuration() =>
        OsToMeasCycles[(int)PressureSampling] + OsToMeasCycles[(int)TemperatureSampling] + OsToMeasCycles[(int)HumiditySampling];

    // upstream: Bme280.cs Read: unless in normal mode, force a measurement and Thread.Sleep its duration; then T, P, H.
    public Bme280ReadResult Read()
    {
        if (ReadPowerMode() != Bmx280PowerMode.Normal)
        {
            SetPowerMode(Bmx280PowerMode.Forced);
            TwinBoard.Current.Idle(GetMeasurementDuration());
        }

        bool t = TryReadTemperatureCore(out var temperature);
        bool p = TryReadPressureCore(out var pressure, skipTempFineRead: true);
        bool h = TryReadHumidityCore(out var humidity, skipTempFineRead: true);
        return new Bme280ReadResult(temperature, t, pressure, p, humidity, h);
    }

    // upstream: Bme280.cs SetDefaultConfiguration: base, then humidity ×1.
    protected override void SetDefaultConfiguration()
    {
        base.SetDefaultConfiguration();
        HumiditySampling = Sampling.UltraLowPower;
    }

    /// <summary>
    /// BME280 datasheet §4.2.3 (double precision), with the binding's own bracketing kept: the datasheet nests
    /// dig_H3 as H2/65536·(1 + H6/2^26·h·(1 + H3/2^26·h)); the binding multiplies by a separate
    /// (1 + H3/(2^26·h)) — divided by h, not multiplied. Identical when dig_H3 = 0, except at h = 0
    /// (t_fine = 76800, exactly 15 °C), where 0/0 gives NaN, which the clamp lets through.
    /// </summary>
    private RelativeHumidity CompensateHumidity(int adcHumidity)
    {
        var c = Calibration;
        double h = TemperatureFine - 76800.0;
        double x = (adcHumidity - ((c.DigH4 * 64.0) + (c.DigH5 / 16384.0 * h))) *
            (c.DigH2 / 65536.0 * (1.0 + (c.DigH6 / 67108864.0 * h)) * (1.0 + (c.DigH3 / (67108864.0 * h))));
        x *= 1.0 - (c.DigH1 * (x / 524288.0));
        if (x > 100)
        {
            x = 100;
        }
        else if (x < 0)
        {
            x = 0;
        }

        return RelativeHumidity.FromPercent(x);
    }

    // upstream: Bme280.cs TryReadHumidityCore: temperature first unless told not to, then hum_msb/lsb (0xFD).
    private bool TryReadHumidityCore(out RelativeHumidity humidity, bool skipTempFineRead = false)
    {
        if (HumiditySampling == Sampling.Skipped)
        {
            humidity = default;
            return false;
        }

        if (!skipTempFineRead)
        {
            TryReadTemperature(out _);
        }

        humidity = CompensateHumidity(Read16BitsFromRegister(0xFD, Endianness.BigEndian));
        return true;
    }
}
