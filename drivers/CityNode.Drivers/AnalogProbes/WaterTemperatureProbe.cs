using CityNode.Sensors;
using CityNode.Telemetry;

namespace CityNode.Drivers.AnalogProbes
{
    /// <summary>
    /// What the analog water probes that compensate for temperature share: one ADC input, read in
    /// stage 1 so the water temperature of the same sample (stage 0) is known, no warm-up, nothing
    /// to power down. <see cref="TemperatureMilli"/> holds that temperature, or the probe's default
    /// when the sample has none.
    /// </summary>
    public abstract class WaterTemperatureProbe : ISensor
    {
        private readonly ChannelSpec[] _channels;
        private readonly long _defaultTemperatureMilli;

        protected WaterTemperatureProbe(AnalogReader reader, ChannelSpec[] channels, long defaultTemperatureMilli)
        {
            Reader = reader;
            _channels = channels;
            _defaultTemperatureMilli = defaultTemperatureMilli;
            TemperatureMilli = defaultTemperatureMilli;
        }

        public abstract string Name { get; }

        public int ChannelCount { get { return _channels.Length; } }

        public int WarmupMs { get { return 0; } }

        public int Stage { get { return 1; } }

        protected AnalogReader Reader { get; private set; }

        /// <summary>Water temperature of the sample being taken, m°C.</summary>
        protected long TemperatureMilli { get; private set; }

        public ChannelSpec Channel(int index)
        {
            return _channels[index];
        }

        public FetchResult Setup()
        {
            return Reader.ReadProbeMillivolts() >= 0 ? FetchResult.Ok : FetchResult.NotPresent;
        }

        public void Wake()
        {
        }

        public FetchResult Trigger(SampleFrame frame, out int waitMs)
        {
            long t;
            TemperatureMilli = frame.TryGetMicro(Channels.WaterTemperature, out t) ? t / 1000 : _defaultTemperatureMilli;
            waitMs = 0;
            return FetchResult.Ok;
        }

        public abstract FetchResult Fetch();

        public abstract bool TryGet(int channel, out long micro);

        public void Sleep()
        {
        }

        public void Reset()
        {
        }
    }
}
