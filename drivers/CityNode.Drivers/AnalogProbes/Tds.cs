using CityNode.Hal;
using CityNode.Sensors;
using CityNode.Telemetry;

namespace CityNode.Drivers.AnalogProbes
{
    /// <summary>
    /// DFRobot Gravity analog TDS meter (SEN0244), with temperature compensation from the water
    /// temperature of the same sample (DFRobot wiki): coefficient = 1 + 0.02·(T − 25);
    /// V25 = V / coefficient; TDS = (133.42·V25³ − 255.86·V25² + 857.39·V25) · 0.5 · K, in ppm
    /// (mg/L), with K the probe's cell constant from calibration (<c>calibration.tds = K</c>,
    /// default 1). Conductivity follows with the 0.5 TDS factor: EC = 2 · TDS µS/cm.
    /// Without a water temperature, 25 °C is assumed. The probe works to 2.3 V (about 1000 ppm).
    /// </summary>
    public sealed class Tds : WaterTemperatureProbe
    {
        public const int MaxMillivolts = 2300;

        private readonly long _kMicro;
        private long _tds;
        private bool _valid;

        /// <param name="kMicro">Cell constant from calibration, micro-units (1 000 000 = 1.0).</param>
        public Tds(IAdc adc, int channel, int dividerNumerator, int dividerDenominator, long kMicro)
            : base(new AnalogReader(adc, channel, dividerNumerator, dividerDenominator), TdsDescriptor.Table, 25000)
        {
            _kMicro = kMicro > 0 ? kMicro : 1000000;
        }

        public override string Name { get { return "tds"; } }

        public override FetchResult Fetch()
        {
            _valid = false;
            int mv = Reader.ReadProbeMillivolts();
            if (mv < 0)
            {
                return FetchResult.DeviceError;
            }

            if (mv > MaxMillivolts)
            {
                return FetchResult.OutOfRange;
            }

            _tds = TdsMicro(mv, TemperatureMilli, _kMicro);
            _valid = true;
            return FetchResult.Ok;
        }

        /// <summary>TDS in micro-ppm for a probe voltage (mV), a water temperature (m°C) and a cell constant (micro).</summary>
        public static long TdsMicro(int millivolts, long temperatureMilli, long kMicro)
        {
            // V25 in µV: V / (1 + 0.02 (T − 25)); the coefficient in parts per 10⁶.
            long coefficient = 1000000 + (20 * (temperatureMilli - 25000));
            if (coefficient <= 0)
            {
                return 0;
            }

            long v = (millivolts * 1000000000L) / coefficient; // µV
            // 0.5 × (133.42 v³ − 255.86 v² + 857.39 v) with v in volts = µV / 10⁶, result in µppm.
            // Terms kept in µV to stay exact in 64 bits: v ≤ 3·10⁶ µV.
            long v2 = (v * v) / 1000000;       // µV² / 10⁶ = V² in 10⁻⁶ units
            long v3 = (v2 * v) / 1000000;      // V³ in 10⁻⁶ units
            long sum = (13342 * v3 / 100) - (25586 * v2 / 100) + (85739 * v / 100);
            return (sum / 2) * kMicro / 1000000;
        }

        public override bool TryGet(int channel, out long micro)
        {
            micro = _valid ? (channel == 0 ? _tds : 2 * _tds) : 0;
            return _valid;
        }
    }
}
