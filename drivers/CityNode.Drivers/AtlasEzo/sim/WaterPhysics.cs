namespace CityNode.Drivers.AtlasEzo.Sim;

/// <summary>The water chemistry the simulated EZO circuits need, from published formulas.</summary>
public static class WaterPhysics
{
    /// <summary>Nernst slope of a pH electrode, mV per pH unit: 59.16 mV at 25 °C, proportional to absolute temperature.</summary>
    public static double NernstSlope(double celsius) => 59.16 * (celsius + 273.15) / 298.15;

    /// <summary>
    /// Oxygen solubility in mg/L (Benson &amp; Krause 1984, as tabulated by USGS, Office of Water
    /// Quality Technical Memorandum 2011.03): temperature in °C, salinity in ppt, pressure in kPa.
    /// </summary>
    public static double OxygenSolubility(double celsius, double salinityPpt, double pressureKpa)
    {
        double t = celsius + 273.15;
        double ln = -139.34411 + (1.575701e5 / t) - (6.642308e7 / (t * t)) + (1.243800e10 / (t * t * t)) - (8.621949e11 / (t * t * t * t));
        ln -= salinityPpt * (0.017674 - (10.754 / t) + (2140.7 / (t * t)));
        double c = Math.Exp(ln);
        double p = pressureKpa / 101.325;
        double pwv = Math.Exp(11.8571 - (3840.70 / t) - (216961 / (t * t)));
        double theta = 0.000975 - (1.426e-5 * celsius) + (6.436e-8 * celsius * celsius);
        return c * p * ((1 - (pwv / p)) * (1 - (theta * p))) / ((1 - pwv) * (1 - theta));
    }

    /// <summary>Salinity (ppt) of fresh to brackish water from specific conductance at 25 °C in µS/cm (0.64 mg/L TDS per µS/cm).</summary>
    public static double SalinityFromConductance(double microSiemensPerCm) => microSiemensPerCm * 0.00064;

    /// <summary>Conductivity at a temperature from its value at 25 °C, with the usual 2 %/°C coefficient.</summary>
    public static double ConductivityAt(double ec25, double celsius) => ec25 * (1 + (0.02 * (celsius - 25)));
}
