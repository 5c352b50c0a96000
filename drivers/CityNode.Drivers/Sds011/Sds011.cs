using CityNode.Hal;
using CityNode.Sensors;
using CityNode.Telemetry;

namespace CityNode.Drivers.Sds011
{
    /// <summary>
    /// Nova Fitness SDS011 particulate sensor on a UART (9600 8N1), in query mode with sleep between
    /// samples (Laser Dust Sensor Control Protocol V1.3):
    /// <code>
    /// command (19 B): AA B4 D1..D15 CS AB    D1 = 2 reporting mode, 4 query data, 6 sleep/work; D14 D15 = FF FF (any id)
    /// data    (10 B): AA C0 PM2.5 lo hi, PM10 lo hi, id lo hi, CS AB     values in 0.1 µg/m³
    /// reply   (10 B): AA C5 D1..D6 CS AB
    /// </code>
    /// CS is the low byte of the sum of the data bytes. The laser and fan need time after waking;
    /// <see cref="WarmupMs"/> is 15 s. Faults: no answer (Timeout), checksum or tail byte wrong
    /// (CrcError, one re-query), an hour of identical non-zero frames (Stuck).
    /// </summary>
    public sealed class Sds011 : ISensor
    {
        public const byte Head = 0xAA;
        public const byte Tail = 0xAB;
        public const byte CommandId = 0xB4;
        public const byte DataId = 0xC0;
        public const byte ReplyId = 0xC5;
        public const byte SetReportingMode = 2;
        public const byte QueryData = 4;
        public const byte SetSleepWork = 6;
        public const int WarmUpMs = 15000;
        public const int AnswerDeadlineMs = 1200;
        /// <summary>
        /// Identical non-zero frames in a row before the sensor counts as stuck: an hour at one sample
        /// a minute. Real air repeats a (PM2.5, PM10) pair at 0.1 µg/m³ at most 9 times running in a
        /// month of Sensor.Community data (Aberdeen, October 2018), so this does not flag clean air.
        /// </summary>
        public const int StuckFrames = 60;

        private readonly IUart _uart;
        private readonly IClock _clock;
        private readonly ChannelSpec[] _channels;
        private readonly byte[] _command = new byte[19];
        private readonly byte[] _frame = new byte[10];
        private readonly byte[] _rx = new byte[32];
        private readonly int[] _tenths = new int[2];
        private int _have;
        private int _lastPm25 = -1;
        private int _lastPm10 = -1;
        private int _same;
        private bool _valid;

        public Sds011(IUart uart, IClock clock)
        {
            _uart = uart;
            _clock = clock;
            _channels = Sds011Descriptor.Table;
        }

        public string Name { get { return "sds011"; } }

        public int ChannelCount { get { return 2; } }

        public int WarmupMs { get { return WarmUpMs; } }

        public int Stage { get { return 1; } }

        /// <summary>Bytes skipped while looking for a frame.</summary>
        public int SkippedBytes { get; private set; }

        public ChannelSpec Channel(int index)
        {
            return _channels[index];
        }

        /// <summary>Wakes it, sets query mode; present when the mode change is acknowledged.</summary>
        public FetchResult Setup()
        {
            _uart.DiscardInput();
            Send(SetSleepWork, 1, 1);
            ReadFrame(ReplyId);
            Send(SetReportingMode, 1, 1);
            FetchResult r = ReadFrame(ReplyId);
            return r != FetchResult.Ok ? r : _frame[2] == SetReportingMode ? FetchResult.Ok : FetchResult.NotPresent;
        }

        public void Wake()
        {
            _uart.DiscardInput();
            Send(SetSleepWork, 1, 1);
            ReadFrame(ReplyId);
        }

        public FetchResult Trigger(SampleFrame frame, out int waitMs)
        {
            _valid = false;
            _uart.DiscardInput();
            Send(QueryData, 0, 0);
            waitMs = 0;
            return FetchResult.Ok;
        }

        public FetchResult Fetch()
        {
            _valid = false;
            FetchResult r = ReadFrame(DataId);
            if (r == FetchResult.CrcError)
            {
                _uart.DiscardInput();
                Send(QueryData, 0, 0);
                r = ReadFrame(DataId);
            }

            if (r != FetchResult.Ok)
            {
                return r;
            }

            int pm25 = _frame[2] | (_frame[3] << 8);
            int pm10 = _frame[4] | (_frame[5] << 8);
            if (pm25 == _lastPm25 && pm10 == _lastPm10 && pm25 != 0)
            {
                if (++_same >= StuckFrames)
                {
                    return FetchResult.Stuck;
                }
            }
            else
            {
                _same = 0;
            }

            _lastPm25 = pm25;
            _lastPm10 = pm10;
            _tenths[0] = pm25;
            _tenths[1] = pm10;
            _valid = true;
            return FetchResult.Ok;
        }

        public bool TryGet(int channel, out long micro)
        {
            micro = _valid ? _tenths[channel] * 100000L : 0;
            return _valid;
        }

        public void Sleep()
        {
            _valid = false;
            Send(SetSleepWork, 1, 0);
            ReadFrame(ReplyId);
        }

        public void Reset()
        {
            _valid = false;
            _same = 0;
            _uart.DiscardInput();
            Send(SetSleepWork, 1, 1);
            ReadFrame(ReplyId);
            Send(SetReportingMode, 1, 1);
            ReadFrame(ReplyId);
        }

        /// <summary>Builds and sends a 19-byte command for all device ids.</summary>
        private void Send(byte command, byte set, byte value)
        {
            byte[] c = _command;
            for (int i = 0; i < c.Length; i++)
            {
                c[i] = 0;
            }

            c[0] = Head;
            c[1] = CommandId;
            c[2] = command;
            c[3] = set;
            c[4] = value;
            c[15] = 0xFF;
            c[16] = 0xFF;
            int sum = 0;
            for (int i = 2; i <= 16; i++)
            {
                sum += c[i];
            }

            c[17] = (byte)sum;
            c[18] = Tail;
            _uart.Write(c, 0, c.Length);
        }

        /// <summary>Reads until a frame of the wanted kind with a good checksum and tail arrives, or the deadline.</summary>
        private FetchResult ReadFrame(byte id)
        {
            long deadline = _clock.MonotonicMs + AnswerDeadlineMs;
            bool corrupt = false;
            _have = 0;
            while (_clock.MonotonicMs < deadline)
            {
                int n = _uart.Read(_rx, 0, _rx.Length, 100);
                for (int i = 0; i < n; i++)
                {
                    int r = Feed(_rx[i]);
                    if (r > 0 && _frame[1] == id)
                    {
                        return FetchResult.Ok;
                    }

                    if (r < 0)
                    {
                        corrupt = true;
                    }
                }
            }

            return corrupt ? FetchResult.CrcError : FetchResult.Timeout;
        }

        /// <summary>1 = a checked frame is in _frame, -1 = a frame failed its check, 0 = more bytes needed.</summary>
        private int Feed(byte b)
        {
            if (_have == 0 && b != Head)
            {
                SkippedBytes++;
                return 0;
            }

            if (_have == 1 && b != DataId && b != ReplyId)
            {
                _have = 0;
                SkippedBytes++;
                return Feed(b);
            }

            _frame[_have++] = b;
            if (_have < _frame.Length)
            {
                return 0;
            }

            _have = 0;
            int sum = 0;
            for (int i = 2; i <= 7; i++)
            {
                sum += _frame[i];
            }

            if ((byte)sum != _frame[8] || _frame[9] != Tail)
            {
                // Look for another head inside what was read.
                for (int i = 1; i < _frame.Length; i++)
                {
                    if (_frame[i] == Head)
                    {
                        int keep = _frame.Length - i;
                        for (int k = 0; k < keep; k++)
                        {
                            _frame[k] = _frame[i + k];
                        }

                        _have = keep;
                        SkippedBytes += i;
                        return -1;
                    }
                }

                SkippedBytes += _frame.Length;
                return -1;
            }

            return 1;
        }
    }
}
