using CityNode.Hal;
using CityNode.Sensors;
using CityNode.Telemetry;

namespace CityNode.Drivers.AnalogProbes
{
    /// <summary>
    /// DFRobot SEN0189 analog turbidity probe. Its output falls as turbidity rises; DFRobot's wiki
    /// gives the curve NTU = −1120.4·V² + 5742.3·V − 4352.9 for 2.5 V ≤ V ≤ 4.2 V (5 V supply):
    /// 4.2 V is clear water (~0 NTU), 2.5 V is 3000 NTU. Above 4.2 V reads 0; below 2.5 V is out of
    /// range (Invalid), as is a dead line near 0 V (probe unplugged). The clear-water voltage differs
    /// from probe to probe: <c>calibration.turbidity = MV</c> (the probe's output in clear water)
    /// shifts the curve so that it reads 0 there. Resolution: a millivolt is about 4 NTU near clear
    /// water, so the channel step is 1 NTU.
    /// </summary>
    public sealed class Turbidity : ISensor
    {
        public const int ClearWaterMillivolts = 4200;
        public const int MinMillivolts = 2500;
        public const int DeadLineMillivolts = 200;

        private readonly AnalogReader _reader;
        private readonly int _offsetMillivolts;
        private readonly ChannelSpec[] _channels = TurbidityDescriptor.Table;
        private long _value;
        private bool _valid;

        /// <param name="clearWaterMillivolts">The probe's output in clear water (from calibration), or 0 for the datasheet's 4200 mV.</param>
        public Turbidity(IAdc adc, int channel, int dividerNumerator, int dividerDenominator, int clearWaterMillivolts)
        {
            _reader = new AnalogReader(adc, channel, dividerNumerator, dividerDenominator);
            _offsetMillivolts = clearWaterMillivolts > 0 ? ClearWaterMillivolts - clearWaterMillivolts : 0;
        }

        public string Name { get { return "turbidity"; } }

        public int ChannelCount { get { return 1; } }

        public int WarmupMs { get { return 0; } }

        public int Stage { get { return 1; } }

        /// <summary>Last probe voltage read (mV), for the bench check and calibration.</summary>
        public int LastMillivolts { get; private set; }

        public ChannelSpec Channel(int index)
        {
            return _channels[index];
        }

        public FetchResult Setup()
        {
            return _reader.ReadProbeMillivolts() >= 0 ? FetchResult.Ok : FetchResult.NotPresent;
        }

        public void Wake()
        {
        }

        public FetchResult Trigger(SampleFrame frame, out int waitMs)
        {
            waitMs = 0; // the ADC converts when Fetch reads it
            return FetchResult.Ok;
        }

        public FetchResult Fetch()
        {
            _valid = false;
            int mv = _reader.ReadProbeMillivolts();
            LastMillivolts = mv;
            if (mv < 0)
            {
                return FetchResult.DeviceError;
            }

            if (mv < DeadLineMillivolts)
            {
                return FetchResult.NotPresent;
            }

            mv += _offsetMillivolts;
            if (mv < MinMillivolts)
            {
                return FetchResult.OutOfRange;
            }

            _value = mv >= ClearWaterMillivolts ? 0 : Ntu(mv);
            if (_value < 0)
            {
                _value = 0;
            }

            _valid = true;
            return FetchResult.Ok;
        }

        /// <summary>The curve in micro-NTU, integer arithmetic: −1120.4·mV²/10⁶ + 5.7423·mV − 4352.9, times 10⁶.</summary>
        public static long Ntu(int millivolts)
        {
            long mv = millivolts;
            return (-11204L * mv * mv / 10) + (5742300L * mv) - 4352900000L;
        }

        public bool TryGet(int channel, out long micro)
        {
            micro = _valid ? _value : 0;
            return _valid;
        }

        public void Sleep()
        {
        }

        public void Reset()
        {
        }
    }
}
