using System;
using System.Collections.Generic;
using System.Device.I2c;
using CityNode.NanoTwin;
using Iot.Device.Bmxx80.CalibrationData;
using Iot.Device.Bmxx80.FilteringMode;
using Iot.Device.Bmxx80.PowerMode;
using Iot.Device.Bmxx80.ReadResult;
using UnitsNet;

namespace Iot.Device.Bmxx80;

/// <summary>
/// BME680: temperature, pressure, humidity and a heated metal-oxide gas sensor (chip id 0x61). The
/// constructor configures heater profile 1 (320 °C for 150 ms) and turns gas conversion on, so every
/// forced measurement heats unless the program turns it off.
/// </summary>
// upstream: nanoframework/nanoFramework.IoT.Device devices/Bmxx80/Bme680.cs (+ Register/Bme680Register.cs, Bme680Mask.cs); native: none.
internal class Bme680 : Bmxx80Base
{
    public const byte DefaultI2cAddress = 0x76;
    public const byte SecondaryI2cAddress = 0x77;

    private static readonly byte[] OsToMeasCycles = { 0, 1, 2, 4, 8, 16 };
    private static readonly byte[] OsToSwitchCount = { 0, 1, 1, 1, 1, 1 };

    // BME680 datasheet §3.4.1 (gas resistance range constants), as the binding's K1Lookup/K2Lookup.
    private static readonly double[] K1 = { 0.0, 0.0, 0.0, 0.0, 0.0, -1.0, 0.0, -0.8, 0.0, 0.0, -0.2, -0.5, 0.0, -1.0, 0.0, 0.0 };
    private static readonly double[] K2 = { 0.0, 0.0, 0.0, 0.0, 0.1, 0.7, 0.0, -0.8, -0.1, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0 };

    private readonly List<Bme680HeaterProfileConfig> _heaterConfigs = new();
    private readonly Temperature _ambientTemperatureUserDefault;
    private bool _gasConversionIsEnabled;
    private bool _heaterIsEnabled;
    private Bme680HeaterProfile _heaterProfile;
    private Bme680FilteringMode _filterMode;
    private Sampling _humiditySampling;

    // upstream: Bme680.cs Bme680(I2cDevice) → ambient default 20 °C.
    public Bme680(I2cDevice i2cDevice)
        : this(i2cDevice, Temperature.FromDegreesCelsius(20))
    {
    }

    // upstream: Bme680.cs Bme680(I2cDevice, Temperature): the default is stored only after the base constructor has configured the chip.
    public Bme680(I2cDevice i2cDevice, Temperature ambientTemperatureDefault)
        : base(0x61, i2cDevice)
    {
        _ambientTemperatureUserDefault = ambientTemperatureDefault;
        CommunicationProtocol1 = CommunicationProtocol.I2c;
    }

    // upstream: Bme680.cs HumiditySampling: ctrl_hum (0x72) bits 2..0 (no ctrl_meas rewrite).
    public Sampling HumiditySampling
    {
        get => _humiditySampling;
        set
        {
            if (value > Sampling.UltraHighResolution)
            {
                throw new ArgumentOutOfRangeException(nameof(value));
            }

            byte status = Read8BitsFromRegister(0x72);
            I2cDevice.Write(new[] { (byte)0x72, (byte)((status & ~0x07) | (byte)value) });
            _humiditySampling = value;
        }
    }

    // upstream: Bme680.cs HeaterProfile: nb_conv in ctrl_gas_1 (0x71), set only if that profile was configured.
    public Bme680HeaterProfile HeaterProfile
    {
        get => _heaterProfile;
        set
        {
            foreach (var config in _heaterConfigs.ToArray())
            {
                if (config.HeaterProfile == value)
                {
                    if (value > Bme680HeaterProfile.Profile10)
                    {
                        throw new ArgumentOutOfRangeException(nameof(value));
                    }

                    byte current = Read8BitsFromRegister(0x71);
                    I2cDevice.Write(new[] { (byte)0x71, (byte)((current & ~0x0F) | (byte)value) });
                    _heaterProfile = value;
                }
            }
        }
    }

    // upstream: Bme680.cs FilterMode: config (0x75) bits 4..2.
    public Bme680FilteringMode FilterMode
    {
        get => _filterMode;
        set
        {
            if (value is < Bme680FilteringMode.C0 or > Bme680FilteringMode.C127)
            {
                throw new ArgumentOutOfRangeException(nameof(value));
            }

            byte current = Read8BitsFromRegister(0x75);
            I2cDevice.Write(new[] { (byte)0x75, (byte)((current & ~0x1C) | ((byte)value << 2)) });
            _filterMode = value;
        }
    }

    // upstream: Bme680.cs HeaterIsEnabled: heat_off in ctrl_gas_0 (0x70) bit 3.
    public bool HeaterIsEnabled
    {
        get => _heaterIsEnabled;
        set
        {
            byte current = Read8BitsFromRegister(0x70);
            I2cDevice.Write(new[] { (byte)0x70, (byte)((current & ~0x08) | ((value ? 0 : 1) << 3)) });
            _heaterIsEnabled = value;
        }
    }

    // upstream: Bme680.cs GasConversionIsEnabled: run_gas in ctrl_gas_1 (0x71) bit 4.
    public bool GasConversionIsEnabled
    {
        get => _gasConversionIsEnabled;
        set
        {
            byte current = Read8BitsFromRegister(0x71);
            I2cDevice.Write(new[] { (byte)0x71, (byte)((current & ~0x10) | ((value ? 1 : 0) << 4)) });
            _gasConversionIsEnabled = value;
        }
    }

    protected override int TempCalibrationFactor => 16;

    private Bme680CalibrationData Calibration => (Bme680CalibrationData)CalibrationData;

    // upstream: Bme680.cs ReadNewDataIsAvailable / ReadGasMeasurementInProcess / ReadMeasurementInProcess: meas_status_0 (0x1D) bits 7, 6, 5.
    public bool ReadNewDataIsAvailable() => (Read8BitsFromRegister(0x1D) >> 7) != 0;

    public bool ReadGasMeasurementInProcess() => (Read8BitsFromRegister(0x1D) & 0x40) != 0;

    public bool ReadMeasurementInProcess() => (Read8BitsFromRegister(0x1D) & 0x20) != 0;

    // upstream: Bme680.cs ReadHeaterIsStable: gas_r_lsb (0x2B) bit 4.
    public bool ReadHeaterIsStable() => (Read8BitsFromRegister(0x2B) & 0x10) != 0;

    // upstream: Bme680.cs SetPowerMode: ctrl_meas (0x74) mode bits.
    public void SetPowerMode(Bme680PowerMode powerMode)
    {
        if (powerMode is not (Bme680PowerMode.Forced or Bme680PowerMode.Sleep))
        {
            throw new ArgumentOutOfRangeException(nameof(powerMode));
        }

        byte status = Read8BitsFromRegister(0x74);
        I2cDevice.Write(new[] { (byte)0x74, (byte)((status & ~0x03) | (byte)powerMode) });
    }

    // upstream: Bme680.cs ReadPowerMode.
    public Bme680PowerMode ReadPowerMode() => (Bme680PowerMode)(Read8BitsFromRegister(0x74) & 0x03);

    // upstream: Bme680.cs ConfigureHeatingProfile: res_heat_x (0x5A + p) and gas_wait_x (0x64 + p), then cached.
    public void ConfigureHeatingProfile(Bme680HeaterProfile profile, Temperature targetTemperature, Duration duration, Temperature ambientTemperature)
    {
        if (profile > Bme680HeaterProfile.Profile10)
        {
            throw new ArgumentOutOfRangeException(nameof(profile));
        }

        byte resistance = CalculateHeaterResistance(targetTemperature, ambientTemperature);
        I2cDevice.Write(new[] { (byte)(0x5A + (byte)profile), resistance });
        I2cDevice.Write(new[] { (byte)(0x64 + (byte)profile), CalculateHeaterDuration(duration) });
        _heaterConfigs.RemoveAll(c => c.HeaterProfile == profile);
        _heaterConfigs.Add(new Bme680HeaterProfileConfig(profile, resistance, duration));
    }

    // upstream: Bme680.cs GetMeasurementDuration: 1963 µs per oversampling cycle, 477 µs per switch (+5 with gas), +0.5 ms rounding,
    // +1 ms wake-up, + the profile's heater time when gas conversion is on; ceiling in ms.
    public Duration GetMeasurementDuration(Bme680HeaterProfile profile)
    {
        int cycles = OsToMeasCycles[(int)TemperatureSampling] + OsToMeasCycles[(int)PressureSampling] + OsToMeasCycles[(int)HumiditySampling];
        int switches = OsToSwitchCount[(int)TemperatureSampling] + OsToSwitchCount[(int)PressureSampling] + OsToSwitchCount[(int)HumiditySampling];
        double micros = (cycles * 1963) + (477 * switches) + (GasConversionIsEnabled ? 477 * 5 : 0) + 500;
        double ms = (micros / 1000.0) + 1;
        if (GasConversionIsEnabled)
        {
            foreach (var config in _heaterConfigs)
            {
                if (config.HeaterProfile == profile)
                {
                    ms += config.HeaterDuration.Milliseconds;
                }
            }
        }

        return Duration.FromMilliseconds(Math.Ceiling(ms));
    }

    // upstream: Bme680.cs Read: always forced + Thread.Sleep(duration of the current profile), then T, P, H, gas.
    public Bme680ReadResult Read()
    {
        SetPowerMode(Bme680PowerMode.Forced);
        TwinBoard.Current.Idle((int)GetMeasurementDuration(HeaterProfile).Milliseconds);
        bool t = TryReadTemperatureCore(out var temperature);
        bool p = TryReadPressureCore(out var pressure, skipTempFineRead: true);
        bool h = TryReadHumidityCore(out var humidity, skipTempFineRead: true);
        bool g = TryReadGasResistanceCore(out var gas);
        return new Bme680ReadResult(temperature, t, pressure, p, humidity, h, gas, g);
    }

    public bool TryReadHumidity(out RelativeHumidity humidity) => TryReadHumidityCore(out humidity);

    public override bool TryReadPressure(out Pressure pressure) => TryReadPressureCore(out pressure);

    public override bool TryReadTemperature(out Temperature temperature) => TryReadTemperatureCore(out temperature);

    public bool TryReadGasResistance(out ElectricResistance gasResistance) => TryReadGasResistanceCore(out gasResistance);

    // upstream: Bme680.cs SetDefaultConfiguration: base, humidity ×1, filter off, heater profile 1 at 320 °C/150 ms
    // (ambient from a temperature read), heater on, gas conversion on.
    protected override void SetDefaultConfiguration()
    {
        base.SetDefaultConfiguration();
        HumiditySampling = Sampling.UltraLowPower;
        FilterMode = Bme680FilteringMode.C0;
        if (!TryReadTemperature(out var ambient))
        {
            ambient = _ambientTemperatureUserDefault;
        }

        ConfigureHeatingProfile(Bme680HeaterProfile.Profile1, Temperature.FromDegreesCelsius(320), Duration.FromMilliseconds(150), ambient);
        HeaterProfile = Bme680HeaterProfile.Profile1;
        HeaterIsEnabled = true;
        GasConversionIsEnabled = true;
    }

    /// <summary>BME680 datasheet §3.3.3 (floating point): relative humidity from hum_adc and the temperature.</summary>
    private RelativeHumidity CompensateHumidity(int adcHumidity)
    {
        var c = Calibration;
        double t = TemperatureFine / 5120.0;
        double v1 = adcHumidity - ((c.DigH1 * 16.0) + (c.DigH3 / 2.0 * t));
        double v2 = v1 * (c.DigH2 / 262144.0 * (1.0 + (c.DigH4 / 16384.0 * t) + (c.DigH5 / 1048576.0 * t * t)));
        double v3 = c.DigH6 / 16384.0, v4 = c.DigH7 / 2097152.0;
        double rh = v2 + ((v3 + (v4 * t)) * v2 * v2);
        return RelativeHumidity.FromPercent(rh > 100.0 ? 100.0 : rh < 0.0 ? 0.0 : rh);
    }

    /// <summary>BME680 datasheet §3.3.2 (floating point): Pa from press_adc and t_fine, with par_p10's cubic term.</summary>
    private Pressure CompensatePressure(long adcPressure)
    {
        var c = Calibration;
        double v1 = (TemperatureFine / 2.0) - 64000.0;
        double v2 = v1 * v1 * (c.DigP6 / 131072.0);
        v2 += v1 * c.DigP5 * 2.0;
        v2 = (v2 / 4.0) + (c.DigP4 * 65536.0);
        v1 = ((c.DigP3 * v1 * v1 / 16384.0) + (c.DigP2 * v1)) / 524288.0;
        v1 = (1.0 + (v1 / 32768.0)) * c.DigP1;
        double p = 1048576.0 - adcPressure;
        if (v1 == 0)
        {
            return Pressure.FromPascals(0);
        }

        p = (p - (v2 / 4096.0)) * 6250.0 / v1;
        v1 = c.DigP9 * p * p / 2147483648.0;
        v2 = p * (c.DigP8 / 32768.0);
        double v3 = p / 256.0 * (p / 256.0) * (p / 256.0) * (c.DigP10 / 131072.0);
        return Pressure.FromPascals(p + ((v1 + v2 + v3 + (c.DigP7 * 128.0)) / 16.0));
    }

    /// <summary>BME680 datasheet §3.4.1 (floating point): Ω from gas_adc and gas_range.</summary>
    private ElectricResistance CalculateGasResistance(ushort adcGasRes, byte gasRange)
    {
        double v1 = 1340.0 + (5.0 * Calibration.RangeSwErr);
        double v2 = v1 * (1.0 + (K1[gasRange] / 100.0));
        double v3 = 1.0 + (K2[gasRange] / 100.0);
        return ElectricResistance.FromOhms(1.0 / (v3 * 0.000000125 * (1 << gasRange) * (((adcGasRes - 512.0) / v2) + 1.0)));
    }

    /// <summary>BME680 datasheet §3.3.5: res_heat_x for a target temperature (capped at 400 °C).</summary>
    private byte CalculateHeaterResistance(Temperature setTemp, Temperature ambientTemp)
    {
        var c = Calibration;
        double temp = Math.Min(setTemp.DegreesCelsius, 400);
        double v1 = (c.DigGh1 / 16.0) + 49.0;
        double v2 = (c.DigGh2 / 32768.0 * 0.0005) + 0.00235;
        double v3 = c.DigGh3 / 1024.0;
        double v4 = v1 * (1.0 + (v2 * temp));
        double v5 = v4 + (v3 * ambientTemp.DegreesCelsius);
        return (byte)(3.4 * ((v5 * (4.0 / (4.0 + c.ResHeatRange)) * (1.0 / (1.0 + (c.ResHeatVal * 0.002)))) - 25));
    }

    /// <summary>gas_wait_x: 6-bit ms count with a ×1/4/16/64 factor in bits 7..6, rounded down; 0xFF beyond 4032 ms.</summary>
    private static byte CalculateHeaterDuration(Duration duration)
    {
        var ms = (ushort)duration.Milliseconds;
        if (ms > 0xFC0)
        {
            return 0xFF;
        }

        byte factor = 0;
        while (ms > 0x3F)
        {
            ms = (ushort)(ms >> 2);
            factor++;
        }

        return (byte)(ms + (factor * 64));
    }

    // upstream: Bme680.cs TryReadTemperatureCore: temp_msb..xlsb (0x22).
    private bool TryReadTemperatureCore(out Temperature temperature) => TryReadTemperatureAt(0x22, out temperature);

    // upstream: Bme680.cs TryReadHumidityCore: hum_msb/lsb (0x25) first, then the temperature unless told not to.
    private bool TryReadHumidityCore(out RelativeHumidity humidity, bool skipTempFineRead = false)
    {
        if (HumiditySampling == Sampling.Skipped)
        {
            humidity = default;
            return false;
        }

        ushort raw = Read16BitsFromRegister(0x25, Endianness.BigEndian);
        if (!skipTempFineRead)
        {
            TryReadTemperatureCore(out _);
        }

        humidity = CompensateHumidity(raw);
        return true;
    }

    // upstream: Bme680.cs TryReadPressureCore: press_msb..xlsb (0x1F) first, then the temperature unless told not to.
    private bool TryReadPressureCore(out Pressure pressure, bool skipTempFineRead = false)
    {
        if (PressureSampling == Sampling.Skipped)
        {
            pressure = default;
            return false;
        }

        int raw = (int)Read24BitsFromRegister(0x1F, Endianness.BigEndian);
        if (!skipTempFineRead)
        {
            TryReadTemperatureCore(out _);
        }

        pressure = CompensatePressure(raw >> 4);
        return true;
    }

    // upstream: Bme680.cs TryReadGasResistanceCore: false unless gas_valid_r and heat_stab_r (0x2B bits 5, 4); then gas_r (0x2A, 0x2B).
    private bool TryReadGasResistanceCore(out ElectricResistance gasResistance)
    {
        if ((Read8BitsFromRegister(0x2B) & 0x20) == 0 || !ReadHeaterIsStable())
        {
            gasResistance = default;
            return false;
        }

        byte msb = Read8BitsFromRegister(0x2A);
        byte range = Read8BitsFromRegister(0x2B);
        var adc = (ushort)((ushort)(msb << 2) + (byte)(range >> 6));
        gasResistance = CalculateGasResistance(adc, (byte)(range & 0x0F));
        return true;
    }
}
