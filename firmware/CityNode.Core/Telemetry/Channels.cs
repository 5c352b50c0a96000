namespace CityNode.Telemetry
{
    /// <summary>
    /// Well-known channel ids (one byte in the channel table) with their canonical unit and name.
    /// Ids 1..127 are defined here; 128..255 are free for site-specific channels (the codec report
    /// numbers CSV columns from 128).
    /// </summary>
    public static class Channels
    {
        public const byte AirTemperature = 1;
        public const byte RelativeHumidity = 2;
        public const byte AirPressure = 3;
        public const byte Pm1 = 4;
        public const byte Pm25 = 5;
        public const byte Pm10 = 6;
        public const byte Co2 = 7;
        public const byte GasResistance = 8;
        public const byte WaterTemperature = 9;
        public const byte Ph = 10;
        public const byte Conductivity = 11;
        public const byte TotalDissolvedSolids = 12;
        public const byte DissolvedOxygen = 13;
        public const byte Orp = 14;
        public const byte Turbidity = 15;
        public const byte Salinity = 16;
        public const byte Light = 17;
        public const byte GageHeight = 18;
        public const byte BatteryVoltage = 19;

        /// <summary>First id of the site-specific range.</summary>
        public const byte FirstCustom = 128;

        private static readonly string[] Names = new string[]
        {
            null, "air_temperature", "relative_humidity", "air_pressure", "pm1", "pm2_5", "pm10", "co2",
            "gas_resistance", "water_temperature", "ph", "conductivity", "tds", "dissolved_oxygen", "orp",
            "turbidity", "salinity", "light", "gage_height", "battery",
        };

        private static readonly byte[] CanonicalUnits = new byte[]
        {
            Units.None, Units.Celsius, Units.RelativeHumidityPercent, Units.Pascal, Units.MicrogramPerCubicMetre,
            Units.MicrogramPerCubicMetre, Units.MicrogramPerCubicMetre, Units.PartsPerMillion, Units.Ohm,
            Units.Celsius, Units.PH, Units.MicrosiemensPerCentimetre, Units.MilligramPerLitre, Units.MilligramPerLitre,
            Units.Millivolt, Units.Ntu, Units.None, Units.Lux, Units.Metre, Units.Millivolt,
        };

        /// <summary>Name of a channel id ("ch200" for an id this build does not know).</summary>
        public static string Name(int id)
        {
            return id > 0 && id < Names.Length ? Names[id] : "ch" + id.ToString();
        }

        /// <summary>Canonical unit of a well-known id, or <see cref="Units.None"/>.</summary>
        public static byte CanonicalUnit(int id)
        {
            return id > 0 && id < CanonicalUnits.Length ? CanonicalUnits[id] : Units.None;
        }

        /// <summary>Id for a name, or -1.</summary>
        public static int FromName(string name)
        {
            for (int i = 1; i < Names.Length; i++)
            {
                if (Names[i] == name)
                {
                    return i;
                }
            }

            return -1;
        }
    }
}
