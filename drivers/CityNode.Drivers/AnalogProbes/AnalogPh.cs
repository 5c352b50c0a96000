using CityNode.Config;
using CityNode.Hal;
using CityNode.Sensors;
using CityNode.Telemetry;

namespace CityNode.Drivers.AnalogProbes
{
    /// <summary>
    /// An analog pH probe module (e.g. DFRobot SEN0161/SEN0169) calibrated in buffers: the node
    /// config holds 2 or 3 points, <c>calibration.ph = 4.00:2030,7.00:1500,10.00:975</c>
    /// (pH:mV of the module's output). pH is interpolated linearly between the two points around
    /// the reading (3 points: acid side low–mid, alkaline side mid–high) and corrected for the
    /// water temperature by the Nernst slope (pH − 7 scales with 298.15 / (T + 273.15)), the
    /// buffers being at 25 °C. Integer arithmetic only.
    /// </summary>
    public sealed class AnalogPh : WaterTemperatureProbe
    {
        private readonly long[] _ph = new long[3];
        private readonly long[] _mv = new long[3];
        private readonly int _points;
        private long _value;
        private bool _valid;

        // Without a water temperature (-1) no Nernst correction is applied: the buffers' 25 °C slope stands.
        public AnalogPh(IAdc adc, int channel, int dividerNumerator, int dividerDenominator, string calibration)
            : base(new AnalogReader(adc, channel, dividerNumerator, dividerDenominator), AnalogPhDescriptor.Table, -1)
        {
            _points = ParseCalibration(calibration, _ph, _mv);
        }

        /// <summary>Parses "pH:mV,pH:mV[,pH:mV]" in increasing pH; throws <see cref="ConfigException"/> naming the problem.</summary>
        public static int ParseCalibration(string text, long[] ph, long[] mv)
        {
            if (text == null)
            {
                throw new ConfigException(0, "calibration.ph", "required: 2 or 3 points pH:mV, e.g. 4.00:2030,7.00:1500,10.00:975");
            }

            int count = 0;
            int start = 0;
            while (start <= text.Length)
            {
                int comma = text.IndexOf(',', start);
                int end = comma < 0 ? text.Length : comma;
                string point = text.Substring(start, end - start).Trim();
                int colon = point.IndexOf(':');
                long p;
                long m;
                if (count >= 3 || colon < 0 || !ValueParser.TryMicro(point.Substring(0, colon), out p) || !ValueParser.TryMicro(point.Substring(colon + 1), out m))
                {
                    throw new ConfigException(0, "calibration.ph", "'" + point + "' is not pH:mV (at most 3 points)");
                }

                if (count > 0 && p <= ph[count - 1])
                {
                    throw new ConfigException(0, "calibration.ph", "points must be in increasing pH");
                }

                ph[count] = p;
                mv[count] = m;
                count++;
                if (comma < 0)
                {
                    break;
                }

                start = comma + 1;
            }

            if (count < 2)
            {
                throw new ConfigException(0, "calibration.ph", "needs 2 or 3 points");
            }

            for (int i = 1; i < count; i++)
            {
                if (mv[i] == mv[i - 1])
                {
                    throw new ConfigException(0, "calibration.ph", "two points with the same voltage");
                }
            }

            return count;
        }

        public override string Name { get { return "analog_ph"; } }

        public override FetchResult Fetch()
        {
            _valid = false;
            int mv = Reader.ReadProbeMillivolts();
            if (mv < 0)
            {
                return FetchResult.DeviceError;
            }

            long ph = Interpolate(mv * 1000000L);
            if (TemperatureMilli >= 0)
            {
                ph = 7000000 + ((ph - 7000000) * 298150 / (TemperatureMilli + 273150));
            }

            if (ph < 0 || ph > 14000000)
            {
                return FetchResult.OutOfRange;
            }

            _value = ph;
            _valid = true;
            return FetchResult.Ok;
        }

        /// <summary>Linear interpolation (or extrapolation) on the calibration segment that fits the voltage (micro-mV in, micro-pH out).</summary>
        public long Interpolate(long microMv)
        {
            int seg = 0;
            if (_points == 3)
            {
                // Voltage falls as pH rises on these modules: above the mid point's voltage is the acid side.
                bool descending = _mv[0] > _mv[2];
                bool acid = descending ? microMv >= _mv[1] : microMv <= _mv[1];
                seg = acid ? 0 : 1;
            }

            long p0 = _ph[seg];
            long p1 = _ph[seg + 1];
            long m0 = _mv[seg];
            long m1 = _mv[seg + 1];
            return p0 + ((p1 - p0) * (microMv - m0) / (m1 - m0));
        }

        public override bool TryGet(int channel, out long micro)
        {
            micro = _valid ? _value : 0;
            return _valid;
        }
    }
}
