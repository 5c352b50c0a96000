using CityNode.Telemetry;

namespace CityNode.Buffering
{
    /// <summary>
    /// The decoded state after one sample of the ring: its time, the interval that led to it, its
    /// statuses and values, and per channel the last valid value so far (the base of the next delta).
    /// </summary>
    internal sealed class RingState
    {
        public RingState(int channels)
        {
            Values = new int[channels];
            Status = new byte[channels];
            Last = new int[channels];
            HasLast = new bool[channels];
        }

        public long Time;
        public long Dt;
        public uint Id;
        public readonly int[] Values;
        public readonly byte[] Status;
        public readonly int[] Last;
        public readonly bool[] HasLast;

        public void CopyFrom(RingState other)
        {
            Time = other.Time;
            Dt = other.Dt;
            Id = other.Id;
            for (int c = 0; c < Values.Length; c++)
            {
                Values[c] = other.Values[c];
                Status[c] = other.Status[c];
                Last[c] = other.Last[c];
                HasLast[c] = other.HasLast[c];
            }
        }

        /// <summary>Makes this the state of a first sample (no history).</summary>
        public void Start(uint id, long time, int[] values, byte[] status)
        {
            Id = id;
            Time = time;
            Dt = 0;
            for (int c = 0; c < Values.Length; c++)
            {
                Values[c] = values[c];
                Status[c] = status[c];
                HasLast[c] = status[c] == ReadingStatus.Ok;
                Last[c] = HasLast[c] ? values[c] : 0;
            }
        }

        public int ReadingCount()
        {
            int n = 0;
            for (int c = 0; c < Status.Length; c++)
            {
                if (Status[c] != ReadingStatus.Missing)
                {
                    n++;
                }
            }

            return n;
        }
    }
}
