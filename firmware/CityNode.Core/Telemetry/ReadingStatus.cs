namespace CityNode.Telemetry
{
    /// <summary>
    /// What a reading slot holds. Only <see cref="Ok"/> carries a value; the others say why there is
    /// none, so a gap in the data is never silent.
    /// </summary>
    public static class ReadingStatus
    {
        /// <summary>A measured value.</summary>
        public const byte Ok = 0;

        /// <summary>Not measured in this sample (sensor not due, disabled, or warming up).</summary>
        public const byte Missing = 1;

        /// <summary>The sensor failed: NACK, CRC error, timeout, error status, or a value gone stale.</summary>
        public const byte Fault = 2;

        /// <summary>The value was NaN, infinite, or outside what the channel can carry.</summary>
        public const byte Invalid = 3;

        public static string Name(int status)
        {
            switch (status)
            {
                case Ok: return "ok";
                case Missing: return "missing";
                case Fault: return "fault";
                case Invalid: return "invalid";
                default: return "status#" + status.ToString();
            }
        }
    }
}
