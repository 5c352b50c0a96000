namespace CityNode.Drivers.AnalogProbes.Sim;

/// <summary>What the analog probes put out for a given water, inverting the drivers' published curves.</summary>
public static class AnalogProbeModels
{
    /// <summary>SEN0189 output (mV) for a turbidity: the root of −1120.4·V² + 5742.3·V − 4352.9 = NTU in 2.5–4.2 V.</summary>
    public static double TurbidityMillivolts(double ntu, double clearWaterMillivolts = 4200)
    {
        if (ntu <= 0)
        {
            return clearWaterMillivolts;
        }

        if (ntu >= 3000)
        {
            // Past the curve's end the output keeps falling: 0.5 V per 1000 NTU.
            return 2500 - ((ntu - 3000) / 2) - (4200 - clearWaterMillivolts);
        }

        double a = -1120.4;
        double b = 5742.3;
        double c = -4352.9 - ntu;
        double v = (-b - Math.Sqrt((b * b) - (4 * a * c))) / (2 * a); // the root above the vertex (2.56 V)
        return (v * 1000) - (4200 - clearWaterMillivolts);
    }

    /// <summary>SEN0244 output (mV) for a TDS at a temperature (bisection on the driver's cubic).</summary>
    public static double TdsMillivolts(double ppm, double celsius, double k = 1.0)
    {
        double lo = 0;
        double hi = 2.3;
        for (int i = 0; i < 60; i++)
        {
            double mid = (lo + hi) / 2;
            double tds = ((133.42 * mid * mid * mid) - (255.86 * mid * mid) + (857.39 * mid)) * 0.5 * k;
            if (tds < ppm)
            {
                lo = mid;
            }
            else
            {
                hi = mid;
            }
        }

        double v25 = (lo + hi) / 2;
        return v25 * (1 + (0.02 * (celsius - 25))) * 1000;
    }

    /// <summary>
    /// A pH module's output (mV): 1500 mV at pH 7 falling 59.16 mV/pH at 25 °C (Nernst at the
    /// water's temperature) times the module gain, plus the module's offset.
    /// </summary>
    public static double PhMillivolts(double ph, double celsius, double gain = 3.0, double offsetMillivolts = 0) =>
        1500 - ((ph - 7) * 59.16 * (celsius + 273.15) / 298.15 * gain) + offsetMillivolts;
}
