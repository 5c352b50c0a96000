namespace CityNode.Telemetry
{
    /// <summary>A preallocated set of adaptive binary contexts: 16-bit probability of a 1 and a use count.</summary>
    public sealed class ContextSet
    {
        public ContextSet(int size)
        {
            Probability = new ushort[size];
            Count = new byte[size];
            Reset();
        }

        public ushort[] Probability { get; private set; }

        public byte[] Count { get; private set; }

        /// <summary>Back to p = 1/2, nothing learnt.</summary>
        public void Reset()
        {
            for (int i = 0; i < Probability.Length; i++)
            {
                Probability[i] = 32768;
                Count[i] = 0;
            }
        }

        /// <summary>Starts a context with a prior: probability of a 1 (0..65535) worth <paramref name="weight"/> observations.</summary>
        public void Prime(int ctx, int probabilityOfOne, int weight)
        {
            Probability[ctx] = (ushort)probabilityOfOne;
            Count[ctx] = (byte)weight;
        }
    }
}
