using CityNode.Config;
using CityNode.Drivers.Registry;
using CityNode.Sensors;
using CityNode.Telemetry;

namespace CityNode.Drivers.Pms5003
{
    /// <summary>Plantower PMS5003: PM1, PM2.5, PM10 over UART at 9600 8N1 (see README.md).</summary>
    public sealed class Pms5003Descriptor : SensorDescriptor
    {
        // Data manual: 1 µg/m³ steps (the frame carries whole micrograms).
        internal static readonly ChannelSpec[] Table = new ChannelSpec[]
        {
            new ChannelSpec(Channels.Pm1, Units.MicrogramPerCubicMetre, 1, 0),
            new ChannelSpec(Channels.Pm25, Units.MicrogramPerCubicMetre, 1, 0),
            new ChannelSpec(Channels.Pm10, Units.MicrogramPerCubicMetre, 1, 0),
        };

        public Pms5003Descriptor()
            : base("pms5003", "uart:COM2", Table)
        {
            WarmupMs = Pms5003.FanStabilisationMs;
            Microamps = 100000;       // data manual V2.3: active ≤ 100 mA (fan and laser)
            OnMilliseconds = 31000;   // 30 s fan stabilisation + a frame
        }

        public override ISensor Create(SensorSpec at, NodeConfig config, IBusProvider buses, int line)
        {
            return new Pms5003(buses.Uart(at.Port, 9600), buses.Clock);
        }
    }
}
