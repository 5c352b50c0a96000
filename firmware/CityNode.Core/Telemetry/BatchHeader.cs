namespace CityNode.Telemetry
{
    /// <summary>The fixed part of a decoded payload.</summary>
    public sealed class BatchHeader
    {
        public BatchHeader()
        {
            Channels = new ChannelSpec[PayloadFormat.MaxChannels];
            Predictors = new int[PayloadFormat.MaxChannels];
            Hints = new int[PayloadFormat.MaxChannels];
            for (int i = 0; i < Channels.Length; i++)
            {
                Channels[i] = new ChannelSpec(0, 0, 1, 0);
            }
        }

        public int Version { get; internal set; }

        public int Flags { get; internal set; }

        public uint NodeId { get; internal set; }

        public uint Sequence { get; internal set; }

        public long BaseTime { get; internal set; }

        public int Count { get; internal set; }

        public long Interval { get; internal set; }

        public int ChannelCount { get; internal set; }

        public ChannelSpec[] Channels { get; private set; }

        public bool HasDiagnostics { get { return (Flags & PayloadFormat.FlagDiagnostics) != 0; } }

        public bool Regular { get { return (Flags & PayloadFormat.FlagRegular) != 0; } }

        /// <summary>Timestamp reference mode of the body (grid or step); false for a regular batch.</summary>
        public bool GridTimes { get; internal set; }

        /// <summary>Hints of the skipped-intervals and jitter models (0 for a regular batch).</summary>
        public int SkipHint { get; internal set; }

        public int JitterHint { get; internal set; }

        /// <summary>Per channel, the predictor (PayloadFormat.Predict*) and residual hint the body chose (filled by Decode).</summary>
        public int[] Predictors { get; private set; }

        public int[] Hints { get; private set; }

        /// <summary>Where the range-coded body starts.</summary>
        public int BodyOffset { get; internal set; }

        /// <summary>Where the CRC starts.</summary>
        public int BodyEnd { get; internal set; }
    }
}
