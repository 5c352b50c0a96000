using CityNode.Config;
using CityNode.Drivers.Registry;
using CityNode.Sensors;
using CityNode.Telemetry;

namespace CityNode.Drivers.Bmxx80
{
    /// <summary>Bosch BME280: temperature, humidity, pressure (see README.md).</summary>
    public sealed class Bme280Descriptor : SensorDescriptor
    {
        // Resolution: 0.01 °C, 0.008 %RH (16-bit) kept at 0.01, 0.18 Pa at ×16 but ±1 Pa noise at ×1 (BME280 datasheet §1, §3.5).
        internal static readonly ChannelSpec[] Table = new ChannelSpec[]
        {
            new ChannelSpec(Channels.AirTemperature, Units.Celsius, 1, -2),
            new ChannelSpec(Channels.RelativeHumidity, Units.RelativeHumidityPercent, 1, -2),
            new ChannelSpec(Channels.AirPressure, Units.Pascal, 1, 0),
        };

        public Bme280Descriptor()
            : base("bme280", "i2c:0x76", Table)
        {
            // BME280 datasheet §6.2: SDO to GND is 0x76, to VDDIO 0x77; nothing else.
            Addresses = new int[] { 0x76, 0x77 };
            AddressNote = "0x76 (SDO to GND) or 0x77 (SDO to VDDIO)";
            Microamps = 700;     // BST-BME280-DS002 Table 1: 340–714 µA while converting (714 µA for pressure)
            OnMilliseconds = 45; // §9.1: a forced conversion at ×2 T, ×16 P, ×1 H takes ~43 ms
        }

        public override ISensor Create(SensorSpec at, NodeConfig config, IBusProvider buses, int line)
        {
            return new Bmxx80Sensor(new GuardedBmxx80Port(buses.Bmxx80(at.BusId, at.Address, false)), buses.I2c(at.BusId), at.Address);
        }
    }

    /// <summary>
    /// Bosch BME680: the BME280's three channels plus the gas sensor's resistance, as the ESP32 glue's
    /// port (nanoFramework.Iot.Device.Bmxx80's Bme680, heater profile 1) delivers them. A platform
    /// whose port reads no gas (the host's Iot.Device.Bindings port is a Bme280 only) is refused at
    /// boot rather than handing out a BME280 under this name.
    /// </summary>
    public sealed class Bme680Descriptor : SensorDescriptor
    {
        internal static readonly ChannelSpec[] Table = new ChannelSpec[]
        {
            Bme280Descriptor.Table[0],
            Bme280Descriptor.Table[1],
            Bme280Descriptor.Table[2],
            new ChannelSpec(Channels.GasResistance, Units.Ohm, 1, 0),
        };

        public Bme680Descriptor()
            : base("bme680", "i2c:0x76", Table)
        {
            // BME680 datasheet §6.2.1: SDO to GND is 0x76, to VDDIO 0x77.
            Addresses = new int[] { 0x76, 0x77 };
            AddressNote = "0x76 (SDO to GND) or 0x77 (SDO to VDDIO)";
            Microamps = 12000;    // BST-BME680-DS001 Table 1: up to 12 mA with the gas heater on
            OnMilliseconds = 160; // heater profile 1 holds 320 °C for 150 ms, plus the T/P/H conversions
        }

        public override ISensor Create(SensorSpec at, NodeConfig config, IBusProvider buses, int line)
        {
            IBmxx80Port port = buses.Bmxx80(at.BusId, at.Address, true);
            if (!port.HasGas)
            {
                throw new ConfigException(line, "sensor." + Name, "this platform's BME port reads no gas resistance (the host's is a BME280 binding): wire it as sensor.bme280 for temperature, humidity and pressure");
            }

            return new Bmxx80Sensor(new GuardedBmxx80Port(port), buses.I2c(at.BusId), at.Address);
        }
    }
}
