using CityNode.Hal;
using CityNode.Sensors;
using CityNode.Telemetry;

namespace CityNode.Drivers.Pms5003
{
    /// <summary>
    /// Plantower PMS5003 particulate sensor on a UART (9600 8N1), used in passive mode: the node
    /// asks for a frame when it samples, and puts the sensor (and its fan) to sleep in between.
    /// Data manual appendix II: commands 0xE1 (mode: 0 passive, 1 active), 0xE2 (read in passive
    /// mode), 0xE4 (0 sleep, 1 wake). Readings are the "atmospheric environment" concentrations
    /// (data 4–6), µg/m³ with 1 µg/m³ steps. The fan needs 30 s after waking before readings are
    /// stable (manual §"Notice"), so <see cref="WarmupMs"/> is 30 000.
    /// Faults: no frame within the deadline (Timeout), checksum (CrcError, one re-request),
    /// a non-zero error code in the last data word (DeviceError), the same raw frame 10 times
    /// running (Stuck: the counts always move on a working sensor).
    /// </summary>
    public sealed class Pms5003 : ISensor
    {
        public const byte CommandMode = 0xE1;
        public const byte CommandRead = 0xE2;
        public const byte CommandSleep = 0xE4;
        public const int FanStabilisationMs = 30000;
        public const int FrameDeadlineMs = 1500;
        public const int StuckFrames = 10;

        private readonly IUart _uart;
        private readonly IClock _clock;
        private readonly ChannelSpec[] _channels;
        private readonly Pms5003Frame _parser = new Pms5003Frame();
        private readonly byte[] _command = new byte[7];
        private readonly byte[] _rx = new byte[64];
        private readonly byte[] _previous = new byte[Pms5003Frame.FrameSize];
        private readonly int[] _values = new int[3];
        private int _sameFrames;
        private bool _valid;

        public Pms5003(IUart uart, IClock clock)
        {
            _uart = uart;
            _clock = clock;
            _channels = Pms5003Descriptor.Table;
        }

        public string Name { get { return "pms5003"; } }

        public int ChannelCount { get { return 3; } }

        public int WarmupMs { get { return FanStabilisationMs; } }

        public int Stage { get { return 1; } }

        public Pms5003Frame Parser { get { return _parser; } }

        public ChannelSpec Channel(int index)
        {
            return _channels[index];
        }

        /// <summary>Wakes the sensor and switches it to passive mode; present if it then answers a read.</summary>
        public FetchResult Setup()
        {
            Send(CommandSleep, 1);
            Send(CommandMode, 0);
            _uart.DiscardInput();
            Send(CommandRead, 0);
            return ReadFrame();
        }

        public void Wake()
        {
            Send(CommandSleep, 1);
        }

        public FetchResult Trigger(SampleFrame frame, out int waitMs)
        {
            _valid = false;
            _uart.DiscardInput();
            _parser.Clear();
            Send(CommandRead, 0);
            waitMs = 0;
            return FetchResult.Ok;
        }

        public FetchResult Fetch()
        {
            _valid = false;
            FetchResult r = ReadFrame();
            if (r == FetchResult.CrcError)
            {
                // One corrupted frame is line noise: ask once more.
                _uart.DiscardInput();
                _parser.Clear();
                Send(CommandRead, 0);
                r = ReadFrame();
            }

            if (r != FetchResult.Ok)
            {
                return r;
            }

            if ((_parser.Word(Pms5003Frame.VersionAndError) & 0xFF) != 0)
            {
                return FetchResult.DeviceError;
            }

            if (SameAsPrevious())
            {
                if (++_sameFrames >= StuckFrames)
                {
                    return FetchResult.Stuck;
                }
            }
            else
            {
                _sameFrames = 0;
            }

            _values[0] = _parser.Word(Pms5003Frame.Pm1Atmospheric);
            _values[1] = _parser.Word(Pms5003Frame.Pm25Atmospheric);
            _values[2] = _parser.Word(Pms5003Frame.Pm10Atmospheric);
            _valid = true;
            return FetchResult.Ok;
        }

        public bool TryGet(int channel, out long micro)
        {
            micro = _valid ? _values[channel] * 1000000L : 0;
            return _valid;
        }

        public void Sleep()
        {
            _valid = false;
            Send(CommandSleep, 0);
        }

        public void Reset()
        {
            _valid = false;
            _sameFrames = 0;
            _uart.DiscardInput();
            _parser.Clear();
            Send(CommandSleep, 1);
            Send(CommandMode, 0);
        }

        private void Send(byte command, int data)
        {
            Pms5003Frame.Command(_command, command, data);
            _uart.Write(_command, 0, _command.Length);
        }

        /// <summary>Reads until a checked frame arrives or the deadline passes.</summary>
        private FetchResult ReadFrame()
        {
            int errorsBefore = _parser.ChecksumErrors;
            long deadline = _clock.MonotonicMs + FrameDeadlineMs;
            while (_clock.MonotonicMs < deadline)
            {
                int n = _uart.Read(_rx, 0, _rx.Length, 100);

                for (int i = 0; i < n; i++)
                {
                    if (_parser.Feed(_rx[i]))
                    {
                        return FetchResult.Ok;
                    }
                }

                if (_parser.ChecksumErrors != errorsBefore)
                {
                    return FetchResult.CrcError;
                }
            }

            return _parser.ChecksumErrors != errorsBefore ? FetchResult.CrcError : FetchResult.Timeout;
        }

        private bool SameAsPrevious()
        {
            byte[] f = _parser.Frame;
            bool same = true;
            for (int i = 0; i < f.Length; i++)
            {
                if (f[i] != _previous[i])
                {
                    same = false;
                }

                _previous[i] = f[i];
            }

            return same;
        }
    }
}
