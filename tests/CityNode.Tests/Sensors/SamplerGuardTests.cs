using CityNode.Host.SimulatedHal;
using CityNode.Sensors;
using CityNode.Telemetry;
using CityNode.Tests.Delivery;
using Xunit;

namespace CityNode.Tests.Sensors;

/// <summary>
/// Issue 15 item 4: every driver call goes through the sampler's guard. A driver (or the native
/// driver under it) that throws in any step is a fault of that sensor, never the node's crash, and
/// the other sensors' readings of the same sample are kept.
/// </summary>
public class SamplerGuardTests
{
    /// <summary>A one-channel sensor that throws in the named step while <see cref="Throwing"/> is set.</summary>
    private sealed class ThrowingSensor(string step) : ISensor
    {
        public bool Throwing { get; set; }

        public int Resets { get; private set; }

        public string Name => "throwing";

        public int ChannelCount => 1;

        public int WarmupMs => 0;

        public int Stage => 0;

        public ChannelSpec Channel(int index) => new(Channels.FirstCustom + 10, Units.None, 1, 0);

        public FetchResult Setup() => Maybe("setup", FetchResult.Ok);

        public void Wake() => Maybe("wake", FetchResult.Ok);

        public FetchResult Trigger(SampleFrame frame, out int waitMs)
        {
            waitMs = 5;
            return Maybe("trigger", FetchResult.Ok);
        }

        public FetchResult Fetch() => Maybe("fetch", FetchResult.Ok);

        public bool TryGet(int channel, out long micro)
        {
            micro = 7_000_000;
            return true;
        }

        public void Sleep() => Maybe("sleep", FetchResult.Ok);

        public void Reset()
        {
            Resets++;
            Maybe("reset", FetchResult.Ok);
        }

        private FetchResult Maybe(string at, FetchResult r) => Throwing && at == step ? throw new IOException("native I2C: " + at) : r;
    }

    [Theory]
    [InlineData("wake")]
    [InlineData("trigger")]
    [InlineData("fetch")]
    [InlineData("sleep")]
    public void A_driver_that_throws_is_a_fault_of_its_sensor_and_the_others_read_on(string step)
    {
        var clock = new VirtualClock(1_700_000_000);
        var good = new ScriptedSensor(1, () => clock.UnixSeconds, (_, _) => 1_500_000);
        var bad = new ThrowingSensor(step);
        var sampler = new Sampler(new ISensor[] { good, bad }, clock);
        var frame = new SampleFrame(sampler.ChannelCount);
        sampler.Setup();
        bad.Throwing = true;
        for (int i = 0; i < 3; i++)
        {
            sampler.Wake();
            sampler.Sample(frame, clock.UnixSeconds);
            sampler.Sleep(); // no exception escapes any step
            Assert.Equal(ReadingStatus.Ok, frame.Status[0]);
            Assert.Equal(150, frame.Values[0]);
            if (step is "trigger" or "fetch")
            {
                Assert.Equal(ReadingStatus.Fault, frame.Status[1]);
                Assert.Equal(FetchResult.DeviceError, sampler.LastResult(1));
            }
        }

        Assert.True(sampler.FaultCount > 0 || step is "wake" or "sleep");
        bad.Throwing = false;
        sampler.Wake();
        sampler.Sample(frame, clock.UnixSeconds);
        Assert.Equal(ReadingStatus.Ok, frame.Status[1]); // recovers once the driver stops throwing
        Assert.Equal(7, frame.Values[1]);
    }

    [Fact]
    public void A_setup_that_throws_is_an_absent_sensor_probed_again_later()
    {
        var clock = new VirtualClock(1_700_000_000);
        var bad = new ThrowingSensor("setup") { Throwing = true };
        var sampler = new Sampler(new ISensor[] { bad }, clock);
        var frame = new SampleFrame(sampler.ChannelCount);
        sampler.Setup();
        Assert.Equal(FetchResult.NotPresent, sampler.LastResult(0));
        bad.Throwing = false;
        for (int i = 0; i < Sampler.SetupRetryCycles; i++)
        {
            sampler.Wake();
            sampler.Sample(frame, clock.UnixSeconds);
        }

        Assert.Equal(ReadingStatus.Ok, frame.Status[0]);
    }
}
