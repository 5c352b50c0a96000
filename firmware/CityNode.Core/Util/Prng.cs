namespace CityNode.Util
{
    /// <summary>
    /// xorshift32: a tiny deterministic generator for backoff jitter. Seeded per node, so simulated
    /// nodes behave reproducibly and real nodes do not retry in lock-step after an outage.
    /// </summary>
    public sealed class Prng
    {
        private uint _state;

        public Prng(uint seed)
        {
            _state = seed == 0 ? 0x9E3779B9u : seed;
        }

        public uint Next()
        {
            uint x = _state;
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            _state = x;
            return x;
        }

        /// <summary>Uniform in [0, bound) for bound &gt; 0.</summary>
        public int Below(int bound)
        {
            return (int)(Next() % (uint)bound);
        }
    }
}
