using CityNode.Config;
using CityNode.Drivers.Registry;
using CityNode.Sensors;
using CityNode.Telemetry;

namespace CityNode.Drivers.Sht4x
{
    /// <summary>Sensirion SHT40/41/45: air temperature and relative humidity on I2C (see README.md).</summary>
    public sealed class Sht4xDescriptor : SensorDescriptor
    {
        // 16-bit words: 0.0027 °C and 0.0019 %RH per tick, carried at 0.01 (the datasheet's resolution at high repeatability).
        internal static readonly ChannelSpec[] Table = new ChannelSpec[]
        {
            new ChannelSpec(Channels.AirTemperature, Units.Celsius, 1, -2),
            new ChannelSpec(Channels.RelativeHumidity, Units.RelativeHumidityPercent, 1, -2),
        };

        public Sht4xDescriptor()
            : base("sht4x", "i2c:0x44", Table)
        {
            // Datasheet, product list: the address is fixed by the part (SHT40/41/45-AD1B 0x44, SHT40-BD1B 0x45, SHT40-CD1B 0x46).
            Addresses = new int[] { 0x44, 0x45, 0x46 };
            AddressNote = "0x44 (SHT40/41/45-AD1B), 0x45 (SHT40-BD1B) or 0x46 (SHT40-CD1B): the part number fixes it";
            Microamps = 320;                       // datasheet, "Electrical specifications": 320 µA typical while measuring (80 nA idle)
            OnMilliseconds = Sht4x.MeasureHighMs;  // one high-repeatability measurement; it idles by itself after
        }

        public override ISensor Create(SensorSpec at, NodeConfig config, IBusProvider buses, int line)
        {
            return new Sht4x(buses.I2c(at.BusId), buses.Clock, at.Address);
        }
    }
}
