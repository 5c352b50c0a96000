namespace CityNode.Telemetry
{
    /// <summary>One entry of a batch's channel table: what a column of values means.</summary>
    public sealed class ChannelSpec
    {
        public ChannelSpec(int id, int unit, int mantissa, int exponent)
        {
            Set(id, unit, mantissa, exponent);
        }

        public int Id { get; private set; }

        public int Unit { get; private set; }

        public int Mantissa { get; private set; }

        public int Exponent { get; private set; }

        public void Set(int id, int unit, int mantissa, int exponent)
        {
            Id = id;
            Unit = unit;
            Mantissa = mantissa;
            Exponent = exponent;
        }

        public bool SameAs(ChannelSpec other)
        {
            return other.Id == Id && other.Unit == Unit && other.Mantissa == Mantissa && other.Exponent == Exponent;
        }
    }
}
