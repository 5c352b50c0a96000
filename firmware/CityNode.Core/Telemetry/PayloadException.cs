using System;

namespace CityNode.Telemetry
{
    /// <summary>
    /// A payload that cannot be decoded. Names the byte offset where decoding stopped and why, so a
    /// backend operator can tell a truncated message from a corrupted one or a newer format.
    /// </summary>
    public class PayloadException : Exception
    {
        public PayloadException(int offset, string reason)
            : base("byte " + offset.ToString() + ": " + reason)
        {
            Offset = offset;
            Reason = reason;
        }

        /// <summary>Offset in the payload where the problem was found.</summary>
        public int Offset { get; private set; }

        /// <summary>What is wrong, in a few words.</summary>
        public string Reason { get; private set; }
    }
}
