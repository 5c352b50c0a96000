using CityNode.Drivers.Sds011;
using CityNode.Drivers.Sds011.Sim;
using CityNode.Host.SimulatedHal;
using CityNode.Sensors;
using CityNode.Telemetry;
using Xunit;

namespace CityNode.Tests.Drivers;

public class Sds011Tests
{
    private sealed class Rig
    {
        public readonly VirtualClock Clock = new(1_700_000_000);
        public readonly SimUart Line;
        public readonly SimSds011 Device;
        public readonly Sds011 Driver;
        public readonly Sampler Sampler;
        public readonly SampleFrame Frame = new(2);
        public (double, double) Air = (1.3, 7.3);

        public Rig()
        {
            Line = new SimUart(Clock, 9600);
            Device = new SimSds011(() => Air);
            Line.Device = Device;
            Driver = new Sds011(Line, Clock);
            Sampler = new Sampler(new ISensor[] { Driver }, Clock);
            Sampler.Setup();
        }

        public (int Pm25, int Pm10, byte Status) Cycle(bool warm = true)
        {
            Sampler.Wake();
            if (warm)
            {
                Clock.Delay(Sampler.WarmupMs());
            }

            Sampler.Sample(Frame, Clock.UnixSeconds);
            Sampler.Sleep();
            Clock.Advance(60_000);
            return (Frame.Values[0], Frame.Values[1], Frame.Status[0]);
        }
    }

    [Fact]
    public void Query_frame_matches_the_protocol_document()
    {
        // Control Protocol V1.3 §"Query data command": AA B4 04 00 00 00 00 00 00 00 00 00 00 00 00 FF FF 02 AB.
        var clock = new VirtualClock(0);
        var line = new SimUart(clock, 9600);
        var capture = new Capture();
        line.Device = capture;
        var d = new Sds011(line, clock);
        d.Trigger(new SampleFrame(2), out _);
        Assert.Equal(new byte[] { 0xAA, 0xB4, 0x04, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF, 0x02, 0xAB }, capture.Last);
    }

    private sealed class Capture : IUartDevice
    {
        public byte[] Last = Array.Empty<byte>();

        public void OnReceive(ReadOnlySpan<byte> data, long nowMs, SimUart line) => Last = data.ToArray();

        public void Produce(long untilMs, SimUart line)
        {
        }
    }

    [Fact]
    public void Reads_pm_in_tenths_in_query_mode_and_sleeps_between()
    {
        var rig = new Rig();
        Assert.True(rig.Device.QueryMode);
        Assert.Equal((13, 73, ReadingStatus.Ok), rig.Cycle());
        Assert.True(rig.Device.Asleep);
    }

    [Fact]
    public void Warm_up_is_honoured()
    {
        var rig = new Rig();
        rig.Cycle();
        Assert.Equal(17, rig.Cycle(warm: false).Pm25); // 1.3 × 1.3 while the fan settles
        Assert.Equal(13, rig.Cycle().Pm25);
    }

    [Fact]
    public void Faults_unplugged_checksum_tail_and_stuck()
    {
        var rig = new Rig();
        rig.Device.Unplugged = true;
        Assert.Equal(ReadingStatus.Fault, rig.Cycle().Status);
        Assert.Equal(FetchResult.Timeout, rig.Sampler.LastResult(0));
        rig.Device.Unplugged = false;

        rig.Device.CorruptNext = 1; // the wake reply
        Assert.Equal(ReadingStatus.Ok, rig.Cycle().Status);
        rig.Cycle();
        rig.Device.CorruptNext = 3; // wake reply, data frame, re-query
        var r = rig.Cycle();
        Assert.Equal(ReadingStatus.Fault, r.Status);
        Assert.Equal(FetchResult.CrcError, rig.Sampler.LastResult(0));

        rig.Device.BadTailNext = 10; // every frame of the cycle (the failed sensor is reset first)
        rig.Cycle();
        Assert.Equal(FetchResult.CrcError, rig.Sampler.LastResult(0));
        rig.Device.BadTailNext = 0;

        rig.Device.Stuck = true;
        var results = new List<FetchResult>();
        for (int i = 0; i <= Sds011.StuckFrames; i++)
        {
            rig.Cycle();
            results.Add(rig.Sampler.LastResult(0));
        }

        Assert.Contains(FetchResult.Stuck, results);
    }

    [Fact]
    public void Resynchronises_on_line_noise()
    {
        var rig = new Rig();
        rig.Line.NoiseProbability = 0.02;
        int ok = 0;
        for (int i = 0; i < 20; i++)
        {
            var r = rig.Cycle();
            if (r.Status == ReadingStatus.Ok)
            {
                Assert.Equal((13, 73), (r.Pm25, r.Pm10));
                ok++;
            }
        }

        Assert.True(ok >= 15, $"{ok}/20");
        Assert.True(rig.Driver.SkippedBytes > 0);
    }
}
