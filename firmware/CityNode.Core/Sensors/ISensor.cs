using CityNode.Telemetry;

namespace CityNode.Sensors
{
    /// <summary>
    /// A sensor as the sampler drives it, in the manner of an ESPHome component: it declares its
    /// channels and timing, sets itself up, and is updated each cycle. I/O and conversion are split
    /// as in Zephyr's sample_fetch / channel_get: <see cref="Fetch"/> does the bus work and keeps
    /// the raw data only if every check passed; <see cref="TryGet"/> converts it. A failed fetch
    /// leaves nothing behind: a driver never hands out a stale value.
    /// </summary>
    public interface ISensor
    {
        /// <summary>Short name for logs and the bench check ("bme280", "pms5003", "ezo-ph").</summary>
        string Name { get; }

        int ChannelCount { get; }

        /// <summary>The channel's id, unit and the resolution the sensor actually has.</summary>
        ChannelSpec Channel(int index);

        /// <summary>Time from <see cref="Wake"/> to a reading worth keeping (fan spin-up, heater).</summary>
        int WarmupMs { get; }

        /// <summary>Sensors that others compensate with (temperature, pressure) run in an earlier stage.</summary>
        int Stage { get; }

        /// <summary>Probes and configures the sensor: Ok, or why not (NotPresent when it is absent or not the expected chip).</summary>
        FetchResult Setup();

        /// <summary>Powers the sensor up (wake command, fan on). Called <see cref="WarmupMs"/> before <see cref="Trigger"/>.</summary>
        void Wake();

        /// <summary>
        /// Starts a measurement, using compensation inputs already in <paramref name="frame"/>
        /// (temperature for EZO, pressure for SCD4x): Ok with <paramref name="waitMs"/> the
        /// milliseconds to wait before <see cref="Fetch"/>, or why the command failed.
        /// </summary>
        FetchResult Trigger(SampleFrame frame, out int waitMs);

        /// <summary>Reads and checks the measurement.</summary>
        FetchResult Fetch();

        /// <summary>The last fetched value of a channel in micro-units; false when there is none.</summary>
        bool TryGet(int channel, out long micro);

        /// <summary>Puts the sensor in its lowest-power state until the next <see cref="Wake"/>.</summary>
        void Sleep();

        /// <summary>Brings a misbehaving sensor back to a known state (soft reset, resynchronise).</summary>
        void Reset();
    }
}
