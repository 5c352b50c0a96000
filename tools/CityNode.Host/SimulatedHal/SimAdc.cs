using CityNode.Hal;

namespace CityNode.Host.SimulatedHal;

/// <summary>
/// An ESP32-like ADC: each channel's pin voltage comes from a probe model, converted with 12-bit
/// steps over 0–3100 mV (12 dB attenuation), with Gaussian noise and occasional spikes, as the
/// real ADC has. Faults: a channel that fails to convert, a disconnected probe (0 mV).
/// </summary>
public sealed class SimAdc : IAdc
{
    public const int FullScaleMillivolts = 3100;

    private readonly Dictionary<int, Func<double>> _pins = new();
    private readonly Random _random;

    public SimAdc(int seed = 1) => _random = new Random(seed);

    /// <summary>Standard deviation of the conversion noise, mV.</summary>
    public double NoiseMillivolts { get; set; } = 4;

    /// <summary>Chance that one conversion is a spike of ±200 mV.</summary>
    public double SpikeProbability { get; set; } = 0.05;

    public HashSet<int> Failing { get; } = new();

    public HashSet<int> Disconnected { get; } = new();

    public void Connect(int channel, Func<double> pinMillivolts) => _pins[channel] = pinMillivolts;

    /// <summary>Channels with a probe connected.</summary>
    public IEnumerable<int> Channels => _pins.Keys;

    public int ReadMillivolts(int channel)
    {
        double v = PinMillivolts(channel);
        if (v < 0)
        {
            return -1;
        }

        double step = (double)FullScaleMillivolts / 4096;
        return (int)Math.Round(Math.Clamp(Math.Round(v / step) * step, 0, FullScaleMillivolts));
    }

    /// <summary>The voltage at the pin with its noise and spikes, before any converter; negative when the channel fails.</summary>
    public double PinMillivolts(int channel)
    {
        if (Failing.Contains(channel) || !_pins.TryGetValue(channel, out var pin))
        {
            return -1;
        }

        if (Disconnected.Contains(channel))
        {
            return _random.Next(0, 20);
        }

        double v = pin();
        double u1 = 1.0 - _random.NextDouble();
        double u2 = _random.NextDouble();
        v += NoiseMillivolts * Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
        if (_random.NextDouble() < SpikeProbability)
        {
            v += _random.Next(2) == 0 ? 200 : -200;
        }

        return Math.Max(0, v);
    }
}
