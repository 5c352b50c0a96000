using CityNode.Drivers.Pms5003;
using CityNode.Drivers.Pms5003.Sim;
using CityNode.Host.SimulatedHal;
using CityNode.Sensors;
using CityNode.Telemetry;
using CsCheck;
using Xunit;

namespace CityNode.Tests.Drivers;

public class Pms5003Tests
{
    private sealed class Rig
    {
        public readonly VirtualClock Clock = new(1_700_000_000);
        public readonly SimUart Line;
        public readonly SimPms5003 Device;
        public readonly Pms5003 Driver;
        public readonly Sampler Sampler;
        public readonly SampleFrame Frame;
        public (double, double, double) Air = (8, 12, 19);

        public Rig()
        {
            Line = new SimUart(Clock, 9600);
            Device = new SimPms5003(() => Air);
            Line.Device = Device;
            Driver = new Pms5003(Line, Clock);
            Sampler = new Sampler(new ISensor[] { Driver }, Clock);
            Frame = new SampleFrame(3);
            Sampler.Setup();
        }

        /// <summary>A sampling cycle as the runtime runs it: wake, warm up, sample, sleep.</summary>
        public (int Pm1, int Pm25, int Pm10, byte Status) Cycle(bool honourWarmup = true)
        {
            Sampler.Wake();
            if (honourWarmup)
            {
                Clock.Delay(Sampler.WarmupMs());
            }

            Sampler.Sample(Frame, Clock.UnixSeconds);
            Sampler.Sleep();
            Clock.Advance(60_000);
            return (Frame.Values[0], Frame.Values[1], Frame.Values[2], Frame.Status[1]);
        }
    }

    [Theory]
    [InlineData(0xE1, 0, new byte[] { 0x42, 0x4D, 0xE1, 0x00, 0x00, 0x01, 0x70 })] // passive mode
    [InlineData(0xE1, 1, new byte[] { 0x42, 0x4D, 0xE1, 0x00, 0x01, 0x01, 0x71 })] // active mode
    [InlineData(0xE2, 0, new byte[] { 0x42, 0x4D, 0xE2, 0x00, 0x00, 0x01, 0x71 })] // read (passive)
    [InlineData(0xE4, 0, new byte[] { 0x42, 0x4D, 0xE4, 0x00, 0x00, 0x01, 0x73 })] // sleep
    [InlineData(0xE4, 1, new byte[] { 0x42, 0x4D, 0xE4, 0x00, 0x01, 0x01, 0x74 })] // wake up
    public void Commands_match_the_data_manual_appendix(byte command, int data, byte[] expected)
    {
        // Plantower PMS5003 data manual, appendix II: the command examples.
        var buf = new byte[7];
        Pms5003Frame.Command(buf, command, data);
        Assert.Equal(expected, buf);
    }

    [Fact]
    public void Reads_atmospheric_concentrations_in_passive_mode_and_sleeps_between()
    {
        var rig = new Rig();
        Assert.True(rig.Sampler.IsPresent(0));
        Assert.True(rig.Device.Passive);
        var r = rig.Cycle();
        Assert.Equal((8, 12, 19, ReadingStatus.Ok), r);
        Assert.True(rig.Device.Asleep, "the fan sleeps between samples");
    }

    [Fact]
    public void Warm_up_is_honoured_because_a_cold_fan_reads_low()
    {
        var rig = new Rig();
        Assert.Equal(30_000, rig.Sampler.WarmupMs());
        rig.Cycle(); // ends with the sensor asleep, fan stopped
        var cold = rig.Cycle(honourWarmup: false);
        Assert.Equal(6, cold.Pm25); // half of 12: the fan is not at speed yet
        var warm = rig.Cycle();
        Assert.Equal(12, warm.Pm25);
    }

    [Fact]
    public void Noise_partial_frames_and_dropped_bytes_on_the_line_are_survived()
    {
        var rig = new Rig();
        rig.Line.NoiseProbability = 0.01;
        rig.Line.DropProbability = 0.002;
        rig.Device.TruncateNext = 1;
        rig.Device.CorruptNext = 1;
        int ok = 0;
        for (int i = 0; i < 20; i++)
        {
            var r = rig.Cycle();
            if (r.Status == ReadingStatus.Ok)
            {
                Assert.Equal((8, 12, 19), (r.Pm1, r.Pm25, r.Pm10));
                ok++;
            }
        }

        Assert.True(ok >= 15, $"{ok} of 20 cycles read through 1 % noise bytes and 0.2 % dropped bytes");
        Assert.True(rig.Driver.Parser.SkippedBytes > 0);
    }

    [Fact]
    public void Unplugged_sensor_is_a_timeout_fault_and_is_found_again()
    {
        var rig = new Rig();
        rig.Device.Unplugged = true;
        var r = rig.Cycle();
        Assert.Equal(ReadingStatus.Fault, r.Status);
        Assert.Equal(FetchResult.Timeout, rig.Sampler.LastResult(0));
        rig.Device.Unplugged = false;
        Assert.Equal(ReadingStatus.Ok, rig.Cycle().Status);
    }

    [Fact]
    public void Bad_checksums_are_a_crc_fault_never_a_value()
    {
        var rig = new Rig();
        rig.Cycle();
        rig.Device.CorruptNext = 2; // the frame and the one re-request
        var r = rig.Cycle();
        Assert.Equal(ReadingStatus.Fault, r.Status);
        Assert.Equal(FetchResult.CrcError, rig.Sampler.LastResult(0));
        Assert.Equal(0, r.Pm25);
    }

    [Fact]
    public void Error_code_in_the_frame_is_a_device_fault()
    {
        var rig = new Rig();
        rig.Device.ErrorCode = 0x02;
        rig.Cycle();
        Assert.Equal(FetchResult.DeviceError, rig.Sampler.LastResult(0));
    }

    [Fact]
    public void A_frozen_sensor_is_reported_stuck()
    {
        var rig = new Rig();
        rig.Device.Stuck = true;
        for (int i = 0; i <= Pms5003.StuckFrames; i++)
        {
            rig.Cycle();
        }

        Assert.Equal(FetchResult.Stuck, rig.Sampler.LastResult(0));
    }

    [Fact]
    public void Parser_finds_every_frame_in_any_noise()
    {
        // Frames cut anywhere and buried in random bytes: the parser returns every intact frame. (A
        // cut frame can be completed by chance by the bytes after it; the checksum then holds and
        // that is a frame too, so only the lower bound is exact.)
        var frame = new byte[32];
        frame[0] = 0x42; frame[1] = 0x4D; frame[3] = 28;
        frame[13] = 42;
        int sum = frame.Take(30).Sum(b => b);
        frame[30] = (byte)(sum >> 8);
        frame[31] = (byte)sum;
        Gen.Select(Gen.Byte.Array[0, 40], Gen.Int[0, 32], Gen.Byte.Array[0, 40]).Array[1, 6].Sample(parts =>
        {
            var stream = new List<byte>();
            int intact = 0;
            foreach (var (noise, cut, more) in parts)
            {
                stream.AddRange(noise.Where(b => b != 0x42));
                stream.AddRange(frame.Take(cut == 0 ? 32 : cut));
                intact += cut == 0 ? 1 : 0;
                stream.AddRange(more.Where(b => b != 0x42));
            }

            var p = new Pms5003Frame();
            int found = 0;
            int foundIntact = 0;
            foreach (var b in stream)
            {
                if (p.Feed(b))
                {
                    found++;
                    foundIntact += (p.Word(Pms5003Frame.Pm25Atmospheric) & 0xFF) == 42 ? 1 : 0;
                }
            }

            // A frame cut before its PM bytes and completed by chance (1 in 65,536 per cut: the sum holds)
            // carries noise as values: only the intact frames' values are known.
            Assert.True(foundIntact >= intact, $"{foundIntact} of {intact} intact frames read back");
            Assert.InRange(found, intact, parts.Length);
        }, iter: 2000);
    }
}
