using CityNode.Config;
using CityNode.Drivers.Registry;
using CityNode.Sensors;
using CityNode.Telemetry;

namespace CityNode.Drivers.Sds011
{
    /// <summary>Nova SDS011: PM2.5, PM10 over UART at 9600 8N1 (see README.md).</summary>
    public sealed class Sds011Descriptor : SensorDescriptor
    {
        // Protocol V1.3: values in 0.1 µg/m³.
        internal static readonly ChannelSpec[] Table = new ChannelSpec[]
        {
            new ChannelSpec(Channels.Pm25, Units.MicrogramPerCubicMetre, 1, -1),
            new ChannelSpec(Channels.Pm10, Units.MicrogramPerCubicMetre, 1, -1),
        };

        public Sds011Descriptor()
            : base("sds011", "uart:COM2", Table)
        {
            WarmupMs = Sds011.WarmUpMs;
            Microamps = 70000;        // datasheet: 70 mA ± 10 mA working
            OnMilliseconds = 16000;   // 15 s warm-up + a frame
        }

        public override ISensor Create(SensorSpec at, NodeConfig config, IBusProvider buses, int line)
        {
            return new Sds011(buses.Uart(at.Port, 9600), buses.Clock);
        }
    }
}
