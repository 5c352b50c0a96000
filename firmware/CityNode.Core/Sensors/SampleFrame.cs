using CityNode.Telemetry;

namespace CityNode.Sensors
{
    /// <summary>One sample: a timestamp and, per channel, a value in resolution steps and a status.</summary>
    public sealed class SampleFrame
    {
        public SampleFrame(int maxChannels)
        {
            Values = new int[maxChannels];
            Status = new byte[maxChannels];
            Channels = new ChannelSpec[maxChannels];
        }

        /// <summary>Unix seconds.</summary>
        public long Time { get; set; }

        public int ChannelCount { get; set; }

        public int[] Values { get; private set; }

        public byte[] Status { get; private set; }

        /// <summary>The channel table the values refer to (shared, not copied).</summary>
        public ChannelSpec[] Channels { get; private set; }

        /// <summary>Marks every channel missing.</summary>
        public void Clear(long time)
        {
            Time = time;
            for (int c = 0; c < ChannelCount; c++)
            {
                Values[c] = 0;
                Status[c] = ReadingStatus.Missing;
            }
        }

        /// <summary>Index of the first channel with this id, or -1.</summary>
        public int Find(int channelId)
        {
            for (int c = 0; c < ChannelCount; c++)
            {
                if (Channels[c].Id == channelId)
                {
                    return c;
                }
            }

            return -1;
        }

        /// <summary>The value of a channel id in micro-units, when this sample has it.</summary>
        public bool TryGetMicro(int channelId, out long micro)
        {
            int c = Find(channelId);
            if (c < 0 || Status[c] != ReadingStatus.Ok)
            {
                micro = 0;
                return false;
            }

            ChannelSpec spec = Channels[c];
            micro = Values[c] * Resolution.MicroPerStep(spec.Mantissa, spec.Exponent);
            return true;
        }

        /// <summary>Readings this sample carries (every slot that is not missing).</summary>
        public int ReadingCount()
        {
            int n = 0;
            for (int c = 0; c < ChannelCount; c++)
            {
                if (Status[c] != ReadingStatus.Missing)
                {
                    n++;
                }
            }

            return n;
        }

        public void CopyFrom(SampleFrame other)
        {
            Time = other.Time;
            ChannelCount = other.ChannelCount;
            for (int c = 0; c < other.ChannelCount; c++)
            {
                Values[c] = other.Values[c];
                Status[c] = other.Status[c];
                Channels[c] = other.Channels[c];
            }
        }
    }
}
