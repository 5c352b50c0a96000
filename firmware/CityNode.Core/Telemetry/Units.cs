namespace CityNode.Telemetry
{
    /// <summary>
    /// Unit codes carried in the channel table (one byte each). The symbols are SenML's
    /// (RFC 8428 §12.1 and RFC 8798) where one exists; conductivity, dissolved oxygen and turbidity
    /// keep the units their probes report and are converted by the SenML writer where SenML has a unit.
    /// </summary>
    public static class Units
    {
        public const byte None = 0;
        public const byte Celsius = 1;
        public const byte RelativeHumidityPercent = 2;
        public const byte Pascal = 3;
        public const byte MicrogramPerCubicMetre = 4;
        public const byte PartsPerMillion = 5;
        public const byte PH = 6;
        public const byte MicrosiemensPerCentimetre = 7;
        public const byte MilligramPerLitre = 8;
        public const byte Millivolt = 9;
        public const byte Ntu = 10;
        public const byte Ohm = 11;
        public const byte Percent = 12;
        public const byte Lux = 13;
        public const byte Metre = 14;
        public const byte DecibelMilliwatt = 15;
        public const byte Count = 16;
        public const byte Ratio = 17;

        /// <summary>Highest defined code.</summary>
        public const byte Last = 17;

        private static readonly string[] Symbols = new string[]
        {
            "", "Cel", "%RH", "Pa", "ug/m3", "ppm", "pH", "uS/cm", "mg/L", "mV", "NTU", "Ohm", "%", "lx", "m", "dBm", "count", "/",
        };

        /// <summary>The unit's symbol, or "unit#N" for a code this build does not know.</summary>
        public static string Symbol(int code)
        {
            return code >= 0 && code < Symbols.Length ? Symbols[code] : "unit#" + code.ToString();
        }

        /// <summary>Code for a symbol, or -1.</summary>
        public static int FromSymbol(string symbol)
        {
            for (int i = 0; i < Symbols.Length; i++)
            {
                if (Symbols[i] == symbol)
                {
                    return i;
                }
            }

            return -1;
        }
    }
}
