using CityNode.Hal;

namespace CityNode.Drivers.AnalogProbes
{
    /// <summary>
    /// Reads an analog probe as the median of several ADC conversions (ESP32 ADC readings jump by
    /// tens of millivolts; the median drops the spikes without averaging them in), scaled back
    /// through the board's voltage divider to the probe's own output voltage. Preallocated; no
    /// allocation per reading.
    /// </summary>
    public sealed class AnalogReader
    {
        /// <summary>
        /// 25 conversions (~1 ms): the uncalibrated ESP32 ADC's noise of a couple of counts, behind a 2:1
        /// divider, is ±10 NTU per conversion near clear water on a turbidity probe; the median of 9 let
        /// 0.2 % of readings past ±15 NTU in the twin's soak run, of 25 none (Espressif's ADC guide
        /// recommends multisampling for the same reason).
        /// </summary>
        public const int Conversions = 25;

        private readonly IAdc _adc;
        private readonly int _channel;
        private readonly int _dividerNumerator;
        private readonly int _dividerDenominator;
        private readonly int[] _samples = new int[Conversions];

        /// <param name="dividerNumerator">Probe voltage = pin voltage × numerator / denominator (1/1 without a divider).</param>
        public AnalogReader(IAdc adc, int channel, int dividerNumerator, int dividerDenominator)
        {
            _adc = adc;
            _channel = channel;
            _dividerNumerator = dividerNumerator;
            _dividerDenominator = dividerDenominator;
        }

        /// <summary>The probe's output in millivolts, or -1 when the ADC failed.</summary>
        public int ReadProbeMillivolts()
        {
            for (int i = 0; i < Conversions; i++)
            {
                int v = _adc.ReadMillivolts(_channel);
                if (v < 0)
                {
                    return -1;
                }

                // Insertion into the sorted prefix.
                int j = i;
                while (j > 0 && _samples[j - 1] > v)
                {
                    _samples[j] = _samples[j - 1];
                    j--;
                }

                _samples[j] = v;
            }

            long pin = _samples[Conversions / 2];
            return (int)((pin * _dividerNumerator) / _dividerDenominator);
        }
    }
}
