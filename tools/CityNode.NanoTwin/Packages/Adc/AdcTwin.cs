using System.Runtime.CompilerServices;

namespace CityNode.NanoTwin;

/// <summary>
/// The ESP32's SAR ADCs at 12 dB attenuation without calibration: what raw count a pin voltage gives.
/// The transfer curve is Espressif's own characterisation of the ESP32 (ESP-IDF v5.5.4
/// components/esp_adc/esp32/adc_cali_line_fitting.c: line y = Vref·scale/4096·raw + offset, with
/// scale 196602/65536 and offset 142 mV for ADC1 at 12 dB (128 mV for ADC2), and the 20-point
/// lookup tables above raw 2880 for Vref 1000 and 1200 mV), inverted: below ~142 mV the ADC reads 0,
/// above ~3.1 V it saturates at 4095. Each chip has its own Vref, 1000–1200 mV (the range of those
/// tables; nominal 1100, VREF_OFFSET), fixed per board here from its name (stable over resets and runs).
/// Conversion noise is Gaussian, σ = 2 counts (an estimate); a pin with nothing connected floats and
/// reads anything in 0..4095. Channel 8 (temprature_sens_read) reads 128, the value widely reported for
/// ESP32 revisions without a working sensor (an estimate; the ROM function's source is not public).
/// </summary>
public static class AdcTwin
{
    /// <summary>CONFIG_SOC_ADC_MAX_CHANNEL_NUM on the ESP32: logical channels below are ADC1, from here ADC2.</summary>
    public const int Adc1Channels = 10;

    /// <summary>One adc1_get_raw/adc2_get_raw on the RTC controller (an estimate).</summary>
    public const int ConversionMicros = 40;

    private static readonly ConditionalWeakTable<TwinBoard, Chip> Chips = new();

    private static readonly int[] Adc1Low = { 2240, 2297, 2352, 2405, 2457, 2512, 2564, 2616, 2664, 2709, 2754, 2795, 2832, 2868, 2903, 2937, 2969, 3000, 3030, 3060 };
    private static readonly int[] Adc1High = { 2667, 2706, 2745, 2780, 2813, 2844, 2873, 2901, 2928, 2956, 2982, 3006, 3032, 3059, 3084, 3110, 3135, 3160, 3184, 3209 };
    private static readonly int[] Adc2Low = { 2238, 2293, 2347, 2399, 2451, 2507, 2561, 2613, 2662, 2710, 2754, 2792, 2831, 2869, 2904, 2937, 2968, 2999, 3029, 3059 };
    private static readonly int[] Adc2High = { 2657, 2698, 2738, 2774, 2807, 2838, 2867, 2894, 2921, 2946, 2971, 2996, 3020, 3043, 3067, 3092, 3116, 3139, 3162, 3185 };

    /// <summary>This chip's ADC reference voltage (mV).</summary>
    public static int VrefOf(TwinBoard board) => ChipOf(board).VrefMv;

    /// <summary>Sets the chip's reference voltage (1000–1200 mV), e.g. for a test of the per-chip gain error.</summary>
    public static void SetVref(TwinBoard board, int millivolts) => ChipOf(board).VrefMv = Math.Clamp(millivolts, 1000, 1200);

    /// <summary>The pin voltage the uncalibrated ADC reports as <paramref name="raw"/> on this chip (Espressif's line fitting + LUT).</summary>
    public static double MillivoltsOf(TwinBoard board, bool adc2, int raw) => Curve(ChipOf(board).VrefMv, adc2, raw);

    /// <summary>ADC2 belongs to Wi-Fi from esp_wifi_start to esp_wifi_stop (ESP-IDF adc_share_hw_ctrl.c adc2_wifi_acquire).</summary>
    internal static bool Adc2Locked(TwinBoard board) => board.Ledger.Radio != RadioState.Off;

    internal static int Convert(TwinBoard board, int channel)
    {
        board.Busy(ConversionMicros);
        var chip = ChipOf(board);
        if (channel == 8)
        {
            return 128;
        }

        int? mv = board.Wiring.AnalogOn(channel);
        if (mv is not int v || v < 0)
        {
            return chip.Random.Next(4096);
        }

        bool adc2 = channel >= Adc1Channels;
        int lo = 0, hi = 4095;
        while (lo < hi)
        {
            // the smallest code whose characterised voltage reaches the pin voltage
            int mid = (lo + hi) / 2;
            if (Curve(chip.VrefMv, adc2, mid) < v)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        double u1 = 1.0 - chip.Random.NextDouble(), u2 = chip.Random.NextDouble();
        double noise = 2.0 * Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
        return v <= Curve(chip.VrefMv, adc2, 0) ? 0 : Math.Clamp((int)Math.Round(lo + noise), 0, 4095);
    }

    private static double Curve(int vref, bool adc2, int raw)
    {
        double linear = (vref * (adc2 ? 197170.0 : 196602.0) / 4096 * raw / 65536) + (adc2 ? 128 : 142);
        if (raw < 2880)
        {
            return linear;
        }

        // bilinear in (Vref, raw) between the low- and high-Vref curves, 64 codes per step
        int[] low = adc2 ? Adc2Low : Adc1Low, high = adc2 ? Adc2High : Adc1High;
        int i = Math.Min((raw - 2880) / 64, 18);
        double fy = (raw - 2880 - (i * 64)) / 64.0, fx = (vref - 1000) / 200.0;
        double atLow = low[i] + ((low[i + 1] - low[i]) * fy), atHigh = high[i] + ((high[i + 1] - high[i]) * fy);
        double lut = atLow + ((atHigh - atLow) * fx);
        return raw <= 2944 ? linear + ((lut - linear) * (raw - 2880) / 64.0) : lut;
    }

    private static Chip ChipOf(TwinBoard board) => Chips.GetValue(board, b => new Chip(b.Name));

    private sealed class Chip
    {
        public Chip(string name)
        {
            uint h = 2166136261; // FNV-1a: string.GetHashCode differs between runs
            foreach (char c in name)
            {
                h = (h ^ c) * 16777619;
            }

            VrefMv = 1000 + (int)(h % 201);
            Random = new Random((int)h);
        }

        public int VrefMv { get; set; }

        public Random Random { get; }
    }
}
