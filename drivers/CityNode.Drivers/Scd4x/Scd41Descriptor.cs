using CityNode.Config;
using CityNode.Drivers.Registry;
using CityNode.Sensors;
using CityNode.Telemetry;

namespace CityNode.Drivers.Scd4x
{
    /// <summary>Sensirion SCD41: CO2 in single-shot mode, compensated with the sample's air pressure (see README.md).</summary>
    public sealed class Scd41Descriptor : SensorDescriptor
    {
        // §3.6: CO2 as a whole number of ppm.
        internal static readonly ChannelSpec[] Table = new ChannelSpec[]
        {
            new ChannelSpec(Channels.Co2, Units.PartsPerMillion, 1, 0),
        };

        public Scd41Descriptor()
            : base("scd41", "i2c:0x62", Table)
        {
            Addresses = new int[] { Scd4x.Address }; // SCD4x datasheet §3.3: the address is fixed
            Microamps = 15000;        // SCD4x datasheet: ~15 mA average during a single shot at 3.3 V
            OnMilliseconds = 10000;   // two single shots (§3.10: the first after wake-up is discarded)
            CompensatedBy = new int[] { Channels.AirPressure }; // §3.7.5 set_ambient_pressure: NDIR depends on pressure
        }

        public override ISensor Create(SensorSpec at, NodeConfig config, IBusProvider buses, int line)
        {
            return new Scd4x(buses.I2c(at.BusId), buses.Clock, at.Altitude);
        }
    }
}
