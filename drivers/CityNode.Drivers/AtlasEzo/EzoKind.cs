namespace CityNode.Drivers.AtlasEzo
{
    /// <summary>The EZO circuits CityNode drives, with their default I2C addresses.</summary>
    public enum EzoKind
    {
        /// <summary>EZO-pH, 0x63 (99).</summary>
        Ph = 0x63,

        /// <summary>EZO-EC (conductivity), 0x64 (100).</summary>
        Ec = 0x64,

        /// <summary>EZO-DO (dissolved oxygen), 0x61 (97).</summary>
        Do = 0x61,

        /// <summary>EZO-ORP, 0x62 (98).</summary>
        Orp = 0x62,

        /// <summary>EZO-RTD (temperature), 0x66 (102).</summary>
        Rtd = 0x66,
    }
}
