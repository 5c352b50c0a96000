using CityNode.Hal;
using CityNode.Telemetry;

namespace CityNode.Sensors
{
    /// <summary>
    /// Reads the attached sensors into a <see cref="SampleFrame"/>. Its rules:
    /// one failing sensor never stops the others; a failure is a per-channel fault flag, never an
    /// old value; a sensor that failed is reset before its next use; a sensor missing at boot is
    /// marked failed and probed again every <see cref="SetupRetryCycles"/> cycles; sensors that feed
    /// compensation (stage 0: temperature, pressure) are read before the ones that use it.
    /// No allocation after construction.
    /// </summary>
    public sealed class Sampler
    {
        /// <summary>Cycles between two probes of a sensor that was not found.</summary>
        public const int SetupRetryCycles = 10;

        private readonly ISensor[] _sensors;
        private readonly int[] _firstChannel;
        private readonly bool[] _present;
        private readonly bool[] _needsReset;
        private readonly int[] _retryIn;
        private readonly int[] _waitMs;
        private readonly FetchResult[] _last;
        private readonly ChannelSpec[] _channels;
        private readonly IClock _clock;
        private int _maxStage;

        public Sampler(ISensor[] sensors, IClock clock)
        {
            _sensors = sensors;
            _clock = clock;
            int n = sensors.Length;
            _firstChannel = new int[n];
            _present = new bool[n];
            _needsReset = new bool[n];
            _retryIn = new int[n];
            _waitMs = new int[n];
            _last = new FetchResult[n];
            int channels = 0;
            for (int s = 0; s < n; s++)
            {
                _firstChannel[s] = channels;
                channels += sensors[s].ChannelCount;
                if (sensors[s].Stage > _maxStage)
                {
                    _maxStage = sensors[s].Stage;
                }
            }

            _channels = new ChannelSpec[channels];
            for (int s = 0; s < n; s++)
            {
                for (int c = 0; c < sensors[s].ChannelCount; c++)
                {
                    _channels[_firstChannel[s] + c] = sensors[s].Channel(c);
                }
            }
        }

        public int SensorCount { get { return _sensors.Length; } }

        public int ChannelCount { get { return _channels.Length; } }

        /// <summary>The node's channel table: every sensor's channels in configuration order.</summary>
        public ChannelSpec[] Channels { get { return _channels; } }

        /// <summary>Sensor faults seen since boot (failed fetches and failed probes).</summary>
        public long FaultCount { get; private set; }

        public ISensor Sensor(int index)
        {
            return _sensors[index];
        }

        public bool IsPresent(int index)
        {
            return _present[index];
        }

        /// <summary>The last fetch result of each sensor, for the bench check.</summary>
        public FetchResult LastResult(int index)
        {
            return _last[index];
        }

        /// <summary>Probes every sensor once (at boot).</summary>
        public void Setup()
        {
            for (int s = 0; s < _sensors.Length; s++)
            {
                Probe(s);
            }
        }

        /// <summary>Longest warm-up among the sensors that will be read.</summary>
        public int WarmupMs()
        {
            int max = 0;
            for (int s = 0; s < _sensors.Length; s++)
            {
                if (_present[s] && _sensors[s].WarmupMs > max)
                {
                    max = _sensors[s].WarmupMs;
                }
            }

            return max;
        }

        /// <summary>Wakes the sensors (start of the warm-up), probing again the ones that are due for it.</summary>
        public void Wake()
        {
            for (int s = 0; s < _sensors.Length; s++)
            {
                if (!_present[s])
                {
                    if (--_retryIn[s] <= 0)
                    {
                        Probe(s);
                    }
                }

                if (_present[s])
                {
                    int unused;
                    if (_needsReset[s])
                    {
                        Guarded(s, Step.Reset, null, out unused);
                        _needsReset[s] = false;
                    }

                    if (Guarded(s, Step.Wake, null, out unused) != FetchResult.Ok)
                    {
                        _needsReset[s] = true; // the command may have left it half-woken: reset before the next wake
                    }
                }
            }
        }

        /// <summary>Measures every present sensor, stage by stage, into the frame (which is cleared first).</summary>
        public void Sample(SampleFrame frame, long time)
        {
            frame.ChannelCount = _channels.Length;
            for (int c = 0; c < _channels.Length; c++)
            {
                frame.Channels[c] = _channels[c];
            }

            frame.Clear(time);
            for (int stage = 0; stage <= _maxStage; stage++)
            {
                int wait = 0;
                for (int s = 0; s < _sensors.Length; s++)
                {
                    _waitMs[s] = -1;
                    if (!_present[s] || _sensors[s].Stage != stage)
                    {
                        continue;
                    }

                    int ms;
                    FetchResult r = Guarded(s, Step.Trigger, frame, out ms);
                    if (r != FetchResult.Ok)
                    {
                        Fail(s, frame, r);
                        continue;
                    }

                    _waitMs[s] = ms;
                    if (ms > wait)
                    {
                        wait = ms;
                    }
                }

                if (wait > 0)
                {
                    _clock.Delay(wait);
                }

                for (int s = 0; s < _sensors.Length; s++)
                {
                    if (_waitMs[s] >= 0)
                    {
                        Collect(s, frame);
                    }
                }
            }
        }

        /// <summary>Puts every present sensor to sleep.</summary>
        public void Sleep()
        {
            for (int s = 0; s < _sensors.Length; s++)
            {
                if (_present[s])
                {
                    int unused;
                    Guarded(s, Step.Sleep, null, out unused);
                }
            }
        }

        private void Probe(int s)
        {
            int unused;
            FetchResult r = Guarded(s, Step.Setup, null, out unused);
            bool ok = r == FetchResult.Ok;
            _present[s] = ok;
            _needsReset[s] = false;
            if (!ok)
            {
                // Absent, another chip, or a bus that failed while probing: probed again later.
                _retryIn[s] = SetupRetryCycles;
                _last[s] = FetchResult.NotPresent;
                FaultCount++;
            }
        }

        private enum Step
        {
            Setup,
            Wake,
            Trigger,
            Fetch,
            Sleep,
            Reset,
        }

        /// <summary>
        /// Every call into a driver goes through here: whatever a driver or the native code under it
        /// throws (nanoFramework's I2C and serial drivers throw IOException, ArgumentException,
        /// InvalidOperationException) becomes a DeviceError for that sensor, never the node's crash.
        /// </summary>
        private FetchResult Guarded(int s, Step step, SampleFrame frame, out int waitMs)
        {
            waitMs = 0;
            ISensor sensor = _sensors[s];
            try
            {
                switch (step)
                {
                    case Step.Setup: return sensor.Setup();
                    case Step.Trigger: return sensor.Trigger(frame, out waitMs);
                    case Step.Fetch: return sensor.Fetch();
                    case Step.Wake: sensor.Wake(); break;
                    case Step.Sleep: sensor.Sleep(); break;
                    default: sensor.Reset(); break;
                }

                return FetchResult.Ok;
            }
            catch (System.Exception)
            {
                waitMs = 0;
                return FetchResult.DeviceError;
            }
        }

        private void Collect(int s, SampleFrame frame)
        {
            ISensor sensor = _sensors[s];
            int unused;
            FetchResult r = Guarded(s, Step.Fetch, frame, out unused);

            if (r != FetchResult.Ok)
            {
                Fail(s, frame, r);
                return;
            }

            _last[s] = FetchResult.Ok;
            int first = _firstChannel[s];
            for (int c = 0; c < sensor.ChannelCount; c++)
            {
                ChannelSpec spec = _channels[first + c];
                long micro;
                int steps;
                if (sensor.TryGet(c, out micro) && Resolution.FromMicro(micro, spec.Mantissa, spec.Exponent, out steps))
                {
                    frame.Values[first + c] = steps;
                    frame.Status[first + c] = ReadingStatus.Ok;
                }
                else
                {
                    frame.Status[first + c] = ReadingStatus.Invalid;
                }
            }
        }

        private void Fail(int s, SampleFrame frame, FetchResult result)
        {
            _last[s] = result;
            FaultCount++;
            _needsReset[s] = true;
            int first = _firstChannel[s];
            byte status = result == FetchResult.OutOfRange ? ReadingStatus.Invalid : ReadingStatus.Fault;
            for (int c = 0; c < _sensors[s].ChannelCount; c++)
            {
                frame.Status[first + c] = status;
            }

            if (result == FetchResult.NotPresent)
            {
                // It answered at boot but is gone now (unplugged, dead): probe it again later.
                _present[s] = false;
                _retryIn[s] = SetupRetryCycles;
            }
        }
    }
}
