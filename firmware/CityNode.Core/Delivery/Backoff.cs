using CityNode.Util;

namespace CityNode.Delivery
{
    /// <summary>
    /// Exponential backoff with jitter between failed delivery attempts, across connections and
    /// across sleeps: base × 2^failures, capped, then a random 50–100 % of that ("equal jitter"),
    /// so a street of nodes that lost the broker together does not come back together.
    /// </summary>
    public sealed class Backoff
    {
        private readonly int _baseSeconds;
        private readonly int _capSeconds;
        private readonly Prng _random;

        public Backoff(int baseSeconds, int capSeconds, uint seed)
        {
            _baseSeconds = baseSeconds;
            _capSeconds = capSeconds;
            _random = new Prng(seed);
        }

        public int Failures { get; private set; }

        /// <summary>Wall-clock second before which no new attempt is made.</summary>
        public long NotBefore { get; private set; }

        /// <summary>Restores the state saved before a deep sleep.</summary>
        public void Restore(int failures, long notBefore)
        {
            Failures = failures;
            NotBefore = notBefore;
        }

        public bool Allows(long now)
        {
            return now >= NotBefore;
        }

        public void Succeeded()
        {
            Failures = 0;
            NotBefore = 0;
        }

        /// <summary>Records a failure at <paramref name="now"/> and returns the delay chosen (seconds).</summary>
        public int Failed(long now)
        {
            long delay = _baseSeconds;
            for (int i = 0; i < Failures && delay < _capSeconds; i++)
            {
                delay *= 2;
            }

            if (delay > _capSeconds)
            {
                delay = _capSeconds;
            }

            int half = (int)(delay / 2);
            int chosen = half + _random.Below(half + 1);
            Failures++;
            NotBefore = now + chosen;
            return chosen;
        }
    }
}
