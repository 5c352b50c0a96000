namespace Iot.Device.Bmxx80
{
    // upstream: nanoframework/nanoFramework.IoT.Device devices/Bmxx80/Sampling.cs (osrs_x field values); native: none (managed binding).
    internal enum Sampling : byte
    {
        Skipped = 0b000,
        UltraLowPower = 0b001,
        LowPower = 0b010,
        Standard = 0b011,
        HighResolution = 0b100,
        UltraHighResolution = 0b101,
    }

    // upstream: devices/Bmxx80/StandbyTime.cs (t_sb field values).
    internal enum StandbyTime : byte
    {
        Ms0_5 = 0b000,
        Ms62_5 = 0b001,
        Ms125 = 0b010,
        Ms250 = 0b011,
        Ms500 = 0b100,
        Ms1000 = 0b101,
        Ms10 = 0b110,
        Ms20 = 0b111,
    }

    // upstream: devices/Bmxx80/Bme680HeaterProfile.cs.
    internal enum Bme680HeaterProfile : byte
    {
        Profile1 = 0b0000,
        Profile2 = 0b0001,
        Profile3 = 0b0010,
        Profile4 = 0b0011,
        Profile5 = 0b0100,
        Profile6 = 0b0101,
        Profile7 = 0b0110,
        Profile8 = 0b0111,
        Profile9 = 0b1000,
        Profile10 = 0b1001,
    }

    // upstream: devices/Bmxx80/DeviceStatus.cs (status register bits 3 and 0).
    internal class DeviceStatus
    {
        public bool Measuring { get; set; }

        public bool ImageUpdating { get; set; }
    }

    // upstream: devices/Bmxx80/Bme680HeaterProfileConfig.cs (the cached heater set-up of one profile).
    internal class Bme680HeaterProfileConfig
    {
        public Bme680HeaterProfileConfig(Bme680HeaterProfile profile, ushort heaterResistance, UnitsNet.Duration heaterDuration)
        {
            if (profile > Bme680HeaterProfile.Profile10)
            {
                throw new System.ArgumentOutOfRangeException(nameof(profile));
            }

            HeaterProfile = profile;
            HeaterResistance = heaterResistance;
            HeaterDuration = heaterDuration;
        }

        public Bme680HeaterProfile HeaterProfile { get; set; }

        public ushort HeaterResistance { get; set; }

        public UnitsNet.Duration HeaterDuration { get; set; }
    }
}

namespace Iot.Device.Bmxx80.PowerMode
{
    // upstream: devices/Bmxx80/PowerMode/Bmx280PowerMode.cs (ctrl_meas mode bits).
    internal enum Bmx280PowerMode : byte
    {
        Sleep = 0b00,
        Forced = 0b10,
        Normal = 0b11,
    }

    // upstream: devices/Bmxx80/PowerMode/Bme680PowerMode.cs.
    internal enum Bme680PowerMode : byte
    {
        Sleep = 0b00,
        Forced = 0b01,
    }
}

namespace Iot.Device.Bmxx80.FilteringMode
{
    // upstream: devices/Bmxx80/FilteringMode/Bmx280FilteringMode.cs (IIR filter coefficient field).
    internal enum Bmx280FilteringMode : byte
    {
        Off = 0b000,
        X2 = 0b001,
        X4 = 0b010,
        X8 = 0b011,
        X16 = 0b100,
    }

    // upstream: devices/Bmxx80/FilteringMode/Bme680FilteringMode.cs.
    internal enum Bme680FilteringMode
    {
        C0 = 0b000,
        C1 = 0b001,
        C3 = 0b010,
        C7 = 0b011,
        C15 = 0b100,
        C31 = 0b101,
        C63 = 0b110,
        C127 = 0b111,
    }
}

namespace Iot.Device.Bmxx80.ReadResult
{
    using UnitsNet;

    // upstream: devices/Bmxx80/ReadResult/Bmp280ReadResult.cs.
    internal class Bmp280ReadResult(Temperature temperature, bool temperatureIsValid, Pressure pressure, bool pressureIsValid)
    {
        public Temperature Temperature { get; } = temperature;

        public bool TemperatureIsValid { get; } = temperatureIsValid;

        public Pressure Pressure { get; } = pressure;

        public bool PressureIsValid { get; } = pressureIsValid;
    }

    // upstream: devices/Bmxx80/ReadResult/Bme280ReadResult.cs.
    internal class Bme280ReadResult(Temperature temperature, bool temperatureIsValid, Pressure pressure, bool pressureIsValid, RelativeHumidity humidity, bool humidityIsValid)
        : Bmp280ReadResult(temperature, temperatureIsValid, pressure, pressureIsValid)
    {
        public RelativeHumidity Humidity { get; } = humidity;

        public bool HumidityIsValid { get; } = humidityIsValid;
    }

    // upstream: devices/Bmxx80/ReadResult/Bme680ReadResult.cs.
    internal class Bme680ReadResult(Temperature temperature, bool temperatureIsValid, Pressure pressure, bool pressureIsValid, RelativeHumidity humidity, bool humidityIsValid, ElectricResistance gasResistance, bool gasResistanceIsValid)
        : Bme280ReadResult(temperature, temperatureIsValid, pressure, pressureIsValid, humidity, humidityIsValid)
    {
        public ElectricResistance GasResistance { get; } = gasResistance;

        public bool GasResistanceIsValid { get; } = gasResistanceIsValid;
    }
}
