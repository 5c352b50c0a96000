using System;

namespace CityNode.Telemetry
{
    /// <summary>
    /// A preallocated block of samples for one payload: timestamps and, per channel, values in
    /// resolution steps with a status each. Stored channel-major (<c>Values[c * Capacity + i]</c>)
    /// because the codec walks one channel at a time.
    /// </summary>
    public sealed class SampleBatch
    {
        public SampleBatch(int capacity, int maxChannels)
        {
            if (capacity < 1 || capacity > PayloadFormat.MaxSamples)
            {
                throw new ArgumentOutOfRangeException("capacity");
            }

            if (maxChannels < 1 || maxChannels > PayloadFormat.MaxChannels)
            {
                throw new ArgumentOutOfRangeException("maxChannels");
            }

            Capacity = capacity;
            MaxChannels = maxChannels;
            Times = new long[capacity];
            Values = new int[capacity * maxChannels];
            Status = new byte[capacity * maxChannels];
            Channels = new ChannelSpec[maxChannels];
            for (int c = 0; c < maxChannels; c++)
            {
                Channels[c] = new ChannelSpec(0, 0, 1, 0);
            }
        }

        public int Capacity { get; private set; }

        public int MaxChannels { get; private set; }

        /// <summary>Samples held.</summary>
        public int Count { get; set; }

        /// <summary>Channels in use.</summary>
        public int ChannelCount { get; set; }

        /// <summary>Unix seconds of each sample.</summary>
        public long[] Times { get; private set; }

        public int[] Values { get; private set; }

        public byte[] Status { get; private set; }

        public ChannelSpec[] Channels { get; private set; }

        public int Index(int channel, int sample)
        {
            return (channel * Capacity) + sample;
        }

        /// <summary>Readings with a value or a flag (every slot of every sample).</summary>
        public int ReadingCount { get { return Count * ChannelCount; } }

        public void Clear()
        {
            Count = 0;
        }

        /// <summary>Copies the channel table of <paramref name="specs"/> (first <paramref name="count"/>).</summary>
        public void SetChannels(ChannelSpec[] specs, int count)
        {
            if (count > MaxChannels)
            {
                throw new ArgumentOutOfRangeException("count");
            }

            for (int c = 0; c < count; c++)
            {
                Channels[c].Set(specs[c].Id, specs[c].Unit, specs[c].Mantissa, specs[c].Exponent);
            }

            ChannelCount = count;
        }
    }
}
