namespace CityNode.Telemetry
{
    /// <summary>Constants of the CityNode batch payload, version 1 (docs/payload.md).</summary>
    public static class PayloadFormat
    {
        /// <summary>First byte: high nibble 0xC marks a CityNode payload, low nibble is the version.</summary>
        public const byte Magic = 0xC0;
        public const int Version = 1;

        /// <summary>Flag: a diagnostics block follows the channel table.</summary>
        public const int FlagDiagnostics = 0x01;

        /// <summary>Flag: every interval equals the nominal one, no timestamp residuals are coded.</summary>
        public const int FlagRegular = 0x02;

        /// <summary>Flags this version knows; any other set bit is refused.</summary>
        public const int KnownFlags = FlagDiagnostics | FlagRegular;

        /// <summary>Top bit of a channel's resolution byte: an explicit unit byte follows.</summary>
        public const int ExplicitUnitBit = 0x80;

        public const int MaxSamples = 65535;
        public const int MaxChannels = 64;
        public const int MaxReadings = 262144;

        /// <summary>Bytes of the trailing CRC-32C.</summary>
        public const int CrcSize = 4;

        /// <summary>Smallest well-formed payload: magic, flags, node, seq, time, count, interval, channel count, one channel, CRC.</summary>
        public const int MinSize = 1 + 1 + 1 + 1 + 4 + 1 + 1 + 1 + 2 + CrcSize;

        /// <summary>Predictor ids coded per channel.</summary>
        public const int PredictDelta = 0;
        public const int PredictLinear = 1;
        public const int PredictDamped = 2;
        public const int PredictorCount = 3;

        /// <summary>Bits of the per-channel hint and predictor id.</summary>
        public const int HintBits = 6;
        public const int PredictorBits = 2;

        /// <summary>Largest timestamp: base time is an unsigned 32-bit field.</summary>
        public const long MaxTime = 0xFFFFFFFFL;

        /// <summary>Largest bytes-per-reading ratio the decoder accepts: a reading costs at least log2(1024/1023) bits.</summary>
        public const int MaxReadingsPerByte = 5800;
    }
}
