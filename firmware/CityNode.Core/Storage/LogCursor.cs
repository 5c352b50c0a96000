namespace CityNode.Storage
{
    /// <summary>A position on a record of a <see cref="FlashLog"/>, with the record's type and length.</summary>
    public sealed class LogCursor
    {
        /// <summary>Index of the sector in the log's order (0 = oldest).</summary>
        public int Rank;

        /// <summary>Sector number in the region.</summary>
        public int Sector;

        /// <summary>Offset of the record header in the sector.</summary>
        public int Offset;

        public byte Type;

        public int Length;

        public void CopyFrom(LogCursor other)
        {
            Rank = other.Rank;
            Sector = other.Sector;
            Offset = other.Offset;
            Type = other.Type;
            Length = other.Length;
        }
    }
}
