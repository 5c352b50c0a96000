using CityNode.Drivers.Common;
using CityNode.Hal;
using CityNode.Sensors;
using CityNode.Telemetry;

namespace CityNode.Drivers.AtlasEzo
{
    /// <summary>
    /// An Atlas Scientific EZO circuit in I2C mode (EZO datasheets, "I2C mode"): ASCII commands,
    /// a processing delay, then a read whose first byte is the response code — 1 success,
    /// 2 syntax error, 254 still processing, 255 no data — followed by ASCII and a NUL.
    /// Temperature compensation (<c>T,n</c>) comes from the RTD reading of the same sample (the RTD
    /// is read first, stage 0); the DO circuit also gets salinity (<c>S,n</c>, conductivity in µS/cm,
    /// from the EC circuit, stage 1) and pressure (<c>P,n</c>, kPa, from a BME if there is one).
    /// Sleep between samples (<c>Sleep</c>; any command wakes it). Faults: NACK, syntax error,
    /// still processing after the retries (Timeout), garbage or an out-of-range value (RTD reports
    /// −1023 with no probe).
    /// </summary>
    public sealed class EzoCircuit : ISensor
    {
        public const byte Success = 1;
        public const byte SyntaxError = 2;
        public const byte StillProcessing = 254;
        public const byte NoData = 255;
        public const int ShortDelayMs = 300;
        public const int PendingRetries = 5;

        private readonly II2cBus _bus;
        private readonly IClock _clock;
        private readonly EzoKind _kind;
        private readonly int _address;
        private readonly ChannelSpec[] _channels;
        private readonly byte[] _tx = new byte[40];
        private readonly byte[] _rx = new byte[41];
        private int _rxLength;
        private long _value;
        private bool _valid;

        public EzoCircuit(II2cBus bus, IClock clock, EzoKind kind, int address)
        {
            _bus = bus;
            _clock = clock;
            _kind = kind;
            _address = address;
            _channels = new ChannelSpec[] { Spec(kind) };
        }

        public EzoKind Kind { get { return _kind; } }

        public string Name
        {
            get { return NameOf(_kind); }
        }

        /// <summary>The circuit's sensor name in the node config.</summary>
        public static string NameOf(EzoKind kind)
        {
            switch (kind)
            {
                case EzoKind.Ph: return "ezo_ph";
                case EzoKind.Ec: return "ezo_ec";
                case EzoKind.Do: return "ezo_do";
                case EzoKind.Orp: return "ezo_orp";
                default: return "ezo_rtd";
            }
        }

        public int ChannelCount { get { return 1; } }

        public int WarmupMs { get { return 0; } }

        /// <summary>RTD first (others compensate with it), DO last (it needs the EC reading).</summary>
        public int Stage { get { return _kind == EzoKind.Rtd ? 0 : (_kind == EzoKind.Do ? 2 : 1); } }

        /// <summary>Processing delay of a reading ("R"), from each circuit's datasheet.</summary>
        public int ReadDelayMs { get { return _kind == EzoKind.Ph || _kind == EzoKind.Orp ? 900 : 600; } }

        public ChannelSpec Channel(int index)
        {
            return _channels[index];
        }

        /// <summary>Asks "i" and checks the device type in the answer ("?I,pH,2.16").</summary>
        public FetchResult Setup()
        {
            FetchResult r = Exchange("i", ShortDelayMs);
            if (r != FetchResult.Ok)
            {
                // A sleeping circuit drops the command that woke it: ask again.
                r = Exchange("i", ShortDelayMs);
                if (r != FetchResult.Ok)
                {
                    return r;
                }
            }

            if (!AnswerHasType())
            {
                return FetchResult.NotPresent; // another EZO circuit (or device) at this address
            }

            if (_kind == EzoKind.Ec)
            {
                // Report conductivity only: R then answers one number.
                Exchange("O,TDS,0", ShortDelayMs);
                Exchange("O,S,0", ShortDelayMs);
                Exchange("O,SG,0", ShortDelayMs);
            }
            else if (_kind == EzoKind.Do)
            {
                Exchange("O,%,0", ShortDelayMs);
            }

            return FetchResult.Ok;
        }

        public void Wake()
        {
            // Any command wakes a sleeping circuit; the one that wakes it is not executed.
            Send("i");
            _clock.Delay(ShortDelayMs);
            ReadResponse();
        }

        public FetchResult Trigger(SampleFrame frame, out int waitMs)
        {
            _valid = false;
            waitMs = 0;
            long t;
            if (_kind != EzoKind.Rtd && _kind != EzoKind.Orp && frame.TryGetMicro(CityNode.Telemetry.Channels.WaterTemperature, out t))
            {
                FetchResult r = ExchangeWithValue("T,", t, 2);
                if (r != FetchResult.Ok)
                {
                    return r;
                }
            }

            if (_kind == EzoKind.Do)
            {
                long ec;
                if (frame.TryGetMicro(CityNode.Telemetry.Channels.Conductivity, out ec))
                {
                    ExchangeWithValue("S,", ec, 0);
                }

                long pa;
                if (frame.TryGetMicro(CityNode.Telemetry.Channels.AirPressure, out pa))
                {
                    ExchangeWithValue("P,", pa / 1000, 2); // Pa → kPa
                }
            }

            if (Send("R") != I2cStatus.Ok)
            {
                return FetchResult.Nack;
            }

            waitMs = ReadDelayMs;
            return FetchResult.Ok;
        }

        public FetchResult Fetch()
        {
            _valid = false;
            FetchResult r = ReadResponse();
            if (r != FetchResult.Ok)
            {
                return r;
            }

            long v;
            if (!Ascii.TryParseMicro(_rx, 1, _rxLength, out v))
            {
                return FetchResult.DeviceError;
            }

            if (!InRange(v))
            {
                return FetchResult.OutOfRange;
            }

            _value = v;
            _valid = true;
            return FetchResult.Ok;
        }

        public bool TryGet(int channel, out long micro)
        {
            micro = _valid ? _value : 0;
            return _valid;
        }

        public void Sleep()
        {
            _valid = false;
            Send("Sleep");
        }

        public void Reset()
        {
            _valid = false;
            Wake();
        }

        /// <summary>pH/ORP/DO/EC calibration: "Cal,mid,7.00", "Cal,low,4.00", "Cal,high,10.00", "Cal,225" (ORP), "Cal,dry", "Cal,clear".</summary>
        public FetchResult Calibrate(string arguments)
        {
            return Exchange("Cal," + arguments, _kind == EzoKind.Ph || _kind == EzoKind.Orp ? 900 : 600);
        }

        /// <summary>Calibration points stored in the circuit ("?CAL,n"), or -1.</summary>
        public int CalibrationPoints()
        {
            if (Exchange("Cal,?", ShortDelayMs) != FetchResult.Ok)
            {
                return -1;
            }

            // Answer: ?CAL,n
            for (int i = 1; i < _rxLength; i++)
            {
                if (_rx[i] == ',')
                {
                    long n;
                    return Ascii.TryParseMicro(_rx, i + 1, _rxLength, out n) ? (int)(n / 1000000) : -1;
                }
            }

            return -1;
        }

        /// <summary>The text of the last answer (for the bench check).</summary>
        public string LastAnswer()
        {
            char[] c = new char[_rxLength > 1 ? _rxLength - 1 : 0];
            for (int i = 0; i < c.Length; i++)
            {
                c[i] = (char)_rx[i + 1];
            }

            return new string(c);
        }

        public static ChannelSpec Spec(EzoKind kind)
        {
            switch (kind)
            {
                case EzoKind.Ph: return new ChannelSpec(CityNode.Telemetry.Channels.Ph, Units.PH, 1, -3);
                case EzoKind.Ec: return new ChannelSpec(CityNode.Telemetry.Channels.Conductivity, Units.MicrosiemensPerCentimetre, 1, 0);
                case EzoKind.Do: return new ChannelSpec(CityNode.Telemetry.Channels.DissolvedOxygen, Units.MilligramPerLitre, 1, -2);
                case EzoKind.Orp: return new ChannelSpec(CityNode.Telemetry.Channels.Orp, Units.Millivolt, 1, -1);
                default: return new ChannelSpec(CityNode.Telemetry.Channels.WaterTemperature, Units.Celsius, 1, -3);
            }
        }

        /// <summary>The circuits' measuring ranges (datasheets, "Reads ... Range").</summary>
        private bool InRange(long v)
        {
            switch (_kind)
            {
                case EzoKind.Ph: return v >= 1000 && v <= 14000000;
                case EzoKind.Ec: return v >= 0 && v <= 500000000000L;
                case EzoKind.Do: return v >= 0 && v <= 100000000;
                case EzoKind.Orp: return v >= -1019900000 && v <= 1019900000;
                default: return v >= -126000000 && v <= 1254000000; // -1023 means no probe
            }
        }

        private bool AnswerHasType()
        {
            // "?I,pH,2.16" / "?I,EC,2.10" / "?I,DO,2.16" / "?I,OR,2.10" / "?I,RTD,2.11"
            if (_rxLength < 6 || _rx[1] != '?' || _rx[2] != 'I' || _rx[3] != ',')
            {
                return false;
            }

            string expected = _kind == EzoKind.Ph ? "pH" : (_kind == EzoKind.Ec ? "EC" : (_kind == EzoKind.Do ? "DO" : (_kind == EzoKind.Orp ? "OR" : "RTD")));
            for (int i = 0; i < expected.Length; i++)
            {
                if (4 + i >= _rxLength || _rx[4 + i] != expected[i])
                {
                    return false;
                }
            }

            return true;
        }

        private FetchResult ExchangeWithValue(string prefix, long micro, int decimals)
        {
            int n = Ascii.Put(_tx, 0, prefix);
            n = Ascii.PutDecimal(_tx, n, micro, decimals);
            if (_bus.Write(_address, _tx, 0, n) != I2cStatus.Ok)
            {
                return FetchResult.Nack;
            }

            _clock.Delay(ShortDelayMs);
            return ReadResponse();
        }

        private FetchResult Exchange(string command, int delayMs)
        {
            if (Send(command) != I2cStatus.Ok)
            {
                return FetchResult.Nack;
            }

            _clock.Delay(delayMs);
            return ReadResponse();
        }

        private I2cStatus Send(string command)
        {
            int n = Ascii.Put(_tx, 0, command);
            return _bus.Write(_address, _tx, 0, n);
        }

        /// <summary>Reads the answer, waiting a little longer while the circuit says 254.</summary>
        private FetchResult ReadResponse()
        {
            for (int attempt = 0; attempt <= PendingRetries; attempt++)
            {
                if (_bus.Read(_address, _rx, 0, _rx.Length) != I2cStatus.Ok)
                {
                    return FetchResult.Nack;
                }

                byte code = _rx[0];
                if (code == StillProcessing)
                {
                    _clock.Delay(100);
                    continue;
                }

                if (code == SyntaxError)
                {
                    return FetchResult.DeviceError;
                }

                if (code == NoData)
                {
                    return FetchResult.NotReady;
                }

                if (code != Success)
                {
                    return FetchResult.DeviceError;
                }

                _rxLength = 1;
                while (_rxLength < _rx.Length && _rx[_rxLength] != 0)
                {
                    byte b = _rx[_rxLength];
                    if (b < 0x20 || b > 0x7E)
                    {
                        return FetchResult.DeviceError; // not the printable ASCII the circuit sends
                    }

                    _rxLength++;
                }

                return FetchResult.Ok;
            }

            return FetchResult.Timeout;
        }
    }
}
