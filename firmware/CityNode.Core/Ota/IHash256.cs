namespace CityNode.Ota
{
    /// <summary>A SHA-256 (and, keyed, HMAC-SHA256) computation fed in pieces.</summary>
    public interface IHash256
    {
        void Reset();

        void Update(byte[] data, int offset, int count);

        /// <summary>Writes the 32-byte digest at <paramref name="offset"/>; the state must be reset before reuse.</summary>
        void Final(byte[] into, int offset);
    }
}
