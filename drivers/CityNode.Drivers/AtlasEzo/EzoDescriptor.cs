using CityNode.Config;
using CityNode.Drivers.Registry;
using CityNode.Sensors;
using CityNode.Telemetry;

namespace CityNode.Drivers.AtlasEzo
{
    /// <summary>An Atlas Scientific EZO circuit in I2C mode, one descriptor per kind (see README.md).</summary>
    public sealed class EzoDescriptor : SensorDescriptor
    {
        private readonly EzoKind _kind;

        public EzoDescriptor(EzoKind kind)
            : base(EzoCircuit.NameOf(kind), "i2c:0x" + ((int)kind).ToString("X2"), new ChannelSpec[] { EzoCircuit.Spec(kind) })
        {
            _kind = kind;
            // Any 7-bit address: each circuit's is set with the I2C,n command (defaults: EzoKind).
            Microamps = 15000; // datasheets, "Power consumption": 12–18 mA awake (EZO-DO 12.1 mA at 3.3 V)
            switch (kind)
            {
                case EzoKind.Ph:
                    OnMilliseconds = 1500; // wake (300) + T (300) + R (900)
                    CompensatedBy = new int[] { Channels.WaterTemperature };
                    break;
                case EzoKind.Orp:
                    OnMilliseconds = 1500; // wake (300) + R (900); ORP sends no T, the 300 ms left is the old figure's margin
                    break;
                case EzoKind.Ec:
                    OnMilliseconds = 1200; // wake + T + R (600)
                    CompensatedBy = new int[] { Channels.WaterTemperature };
                    break;
                case EzoKind.Do:
                    OnMilliseconds = 2100; // wake + T + S + P + R (600)
                    CompensatedBy = new int[] { Channels.WaterTemperature, Channels.Conductivity, Channels.AirPressure }; // EZO-DO datasheet: T, S (salinity from EC), P
                    break;
                default:
                    OnMilliseconds = 1200; // RTD: wake (300) + R (600); it sends no T, the 300 ms left is the old figure's margin
                    break;
            }
        }

        public override ISensor Create(SensorSpec at, NodeConfig config, IBusProvider buses, int line)
        {
            return new EzoCircuit(buses.I2c(at.BusId), buses.Clock, _kind, at.Address);
        }
    }
}
