using CityNode.Drivers.Common;
using CityNode.Hal;
using CityNode.Sensors;
using CityNode.Telemetry;
using CityNode.Util;

namespace CityNode.Drivers.Sht4x
{
    /// <summary>
    /// Sensirion SHT40/41/45 temperature and relative humidity sensor (I2C 0x44; SHT40-BD1B 0x45,
    /// -CD1B 0x46). One single-byte command starts a measurement (datasheet, "I2C commands"); the
    /// result is read as six bytes, T, T, CRC, RH, RH, CRC, once the conversion has had its maximum
    /// duration ("Timings": the sensor NACKs a read header while it is measuring). Both words are
    /// checked against Sensirion's CRC-8 ("Checksum calculation"): a wrong CRC or a NACK is a fault
    /// and leaves no value. The
    /// sensor idles at 80 nA between measurements by itself, so Wake and Sleep send nothing. Stage 0:
    /// others may compensate with its temperature and humidity.
    /// </summary>
    public sealed class Sht4x : ISensor
    {
        public const int DefaultAddress = 0x44;

        // Datasheet, "I2C commands": measure T & RH at high, medium and low repeatability (heater off), soft reset, serial number.
        public const byte MeasureHigh = 0xFD;
        public const byte MeasureMedium = 0xF6;
        public const byte MeasureLow = 0xE0;
        public const byte SoftReset = 0x94;
        public const byte ReadSerial = 0x89;

        // Datasheet, "Timings" (tMEAS, max): 8.3, 4.5 and 1.6 ms, rounded up to the node's millisecond waits.
        public const int MeasureHighMs = 9;
        public const int MeasureMediumMs = 5;
        public const int MeasureLowMs = 2;

        // "Timings": a soft reset takes at most 1 ms. The serial number is read 1 ms after its command (a margin, not a datasheet figure).
        public const int SoftResetMs = 1;
        public const int CommandMs = 1;

        private readonly II2cBus _bus;
        private readonly IClock _clock;
        private readonly int _address;
        private readonly byte _measure;
        private readonly int _measureMs;
        private readonly byte[] _tx = new byte[1];
        private readonly byte[] _rx = new byte[6];
        private readonly long[] _values = new long[2];
        private bool _valid;

        /// <summary>High repeatability: the repeatability the datasheet's accuracy figures are given for.</summary>
        public Sht4x(II2cBus bus, IClock clock, int address)
            : this(bus, clock, address, MeasureHigh)
        {
        }

        /// <param name="measure"><see cref="MeasureHigh"/>, <see cref="MeasureMedium"/> or <see cref="MeasureLow"/>.</param>
        public Sht4x(II2cBus bus, IClock clock, int address, byte measure)
        {
            _bus = bus;
            _clock = clock;
            _address = address;
            _measure = measure;
            _measureMs = measure == MeasureLow ? MeasureLowMs : (measure == MeasureMedium ? MeasureMediumMs : MeasureHighMs);
        }

        public string Name { get { return "sht4x"; } }

        public int ChannelCount { get { return 2; } }

        public int WarmupMs { get { return 0; } }

        public int Stage { get { return 0; } }

        /// <summary>The sensor's 32-bit serial number, read at setup (0 before).</summary>
        public long SerialNumber { get; private set; }

        /// <summary>Words whose CRC did not match, since construction.</summary>
        public int CrcErrors { get; private set; }

        public ChannelSpec Channel(int index)
        {
            return Sht4xDescriptor.Table[index];
        }

        /// <summary>Soft reset, then the serial number (CRC-checked): NotPresent when nothing answers at the address.</summary>
        public FetchResult Setup()
        {
            _valid = false;
            if (Command(SoftReset) != I2cStatus.Ok)
            {
                return FetchResult.NotPresent;
            }

            _clock.Delay(SoftResetMs);
            if (Command(ReadSerial) != I2cStatus.Ok)
            {
                return FetchResult.Nack;
            }

            _clock.Delay(CommandMs);
            FetchResult r = ReadWords();
            if (r != FetchResult.Ok)
            {
                return r;
            }

            SerialNumber = ((long)Word(0) << 16) | (long)Word(3);
            return FetchResult.Ok;
        }

        public void Wake()
        {
        }

        public FetchResult Trigger(SampleFrame frame, out int waitMs)
        {
            _valid = false;
            waitMs = 0;
            if (Command(_measure) != I2cStatus.Ok)
            {
                return FetchResult.Nack;
            }

            waitMs = _measureMs;
            return FetchResult.Ok;
        }

        public FetchResult Fetch()
        {
            _valid = false;
            FetchResult r = ReadWords();
            if (r != FetchResult.Ok)
            {
                return r;
            }

            _values[0] = TemperatureMicro(Word(0));
            _values[1] = HumidityMicro(Word(3));
            _valid = true;
            return FetchResult.Ok;
        }

        public bool TryGet(int channel, out long micro)
        {
            micro = _valid ? _values[channel] : 0;
            return _valid;
        }

        public void Sleep()
        {
            _valid = false;
        }

        public void Reset()
        {
            _valid = false;
            Command(SoftReset);
            _clock.Delay(SoftResetMs);
        }

        /// <summary>Datasheet, "Conversion of signal output": T = −45 + 175 · S / 65535 °C, in µ°C (integer, rounded).</summary>
        public static long TemperatureMicro(int ticks)
        {
            return -45000000L + IntMath.DivRound(175000000L * ticks, 65535);
        }

        /// <summary>Datasheet, "Conversion of signal output": RH = −6 + 125 · S / 65535 %RH, clipped to 0..100 as it says (the formula reaches −6 and 119), in µ%RH.</summary>
        public static long HumidityMicro(int ticks)
        {
            return IntMath.Clamp(-6000000L + IntMath.DivRound(125000000L * ticks, 65535), 0, 100000000L);
        }

        private FetchResult ReadWords()
        {
            if (_bus.Read(_address, _rx, 0, 6) != I2cStatus.Ok)
            {
                return FetchResult.Nack; // still measuring, absent, or a broken transfer
            }

            if (!SensirionCrc.Check(_rx, 0) || !SensirionCrc.Check(_rx, 3))
            {
                CrcErrors++;
                return FetchResult.CrcError;
            }

            return FetchResult.Ok;
        }

        private int Word(int offset)
        {
            return (_rx[offset] << 8) | _rx[offset + 1];
        }

        private I2cStatus Command(byte command)
        {
            _tx[0] = command;
            return _bus.Write(_address, _tx, 0, 1);
        }
    }
}
