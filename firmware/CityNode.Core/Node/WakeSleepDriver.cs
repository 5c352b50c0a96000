using CityNode.Hal;
using CityNode.Power;
using CityNode.Sensors;

namespace CityNode.Node
{
    /// <summary>
    /// The node's wake/sleep life, the one way every platform runs it: boot, run a cycle, then do
    /// what the outcome says — a light sleep keeps RAM (the runtime accounts the sleep), a deep sleep
    /// or a restart is a reset: RAM is lost, so the runtime is built again from flash through the
    /// <see cref="NodeAssembly"/> and booted (it accounts the deep sleep itself, from the record it
    /// saved). The device's <see cref="NodeLoop"/> steps it forever and its sleeper never returns
    /// from a deep sleep or reboot (the chip resets and Main starts over); a host harness steps it
    /// one wake at a time with a sleeper that moves a virtual clock, and the driver does the reset.
    /// </summary>
    public sealed class WakeSleepDriver
    {
        /// <summary>The shortest sleep after a cycle (see <see cref="SleepMsFor"/>).</summary>
        public const int MinSleepMs = 1000;

        private readonly INodeParts _parts;
        private long _producedBefore;
        private uint _cutSample;
        private int _cutSampleReadings;

        /// <summary>A node whose first boot's runtime the platform built already (NodeStart: the clock is set before the runtime exists).</summary>
        public WakeSleepDriver(NodeAssembly assembly, Sampler sampler, IUplink uplink, NodeRuntime runtime, INodeParts parts)
        {
            _parts = parts;
            Assembly = assembly;
            Sampler = sampler;
            Uplink = uplink;
            Runtime = runtime;
        }

        /// <summary>A node built from <paramref name="assembly"/> on <paramref name="parts"/>, not yet booted.</summary>
        public WakeSleepDriver(NodeAssembly assembly, INodeParts parts)
        {
            _parts = parts;
            Assembly = assembly;
            Build();
        }

        /// <summary>The assembly of the current boot (its config is what the node runs with).</summary>
        public NodeAssembly Assembly { get; private set; }

        public NodeRuntime Runtime { get; private set; }

        public Sampler Sampler { get; private set; }

        public IUplink Uplink { get; private set; }

        /// <summary>Resets this driver went through (deep-sleep wakes, restarts, crashes, power cuts).</summary>
        public int Resets { get; private set; }

        /// <summary>
        /// Readings taken and kept over every boot; a sample being staged when the power failed counts
        /// once the next boot found it in flash.
        /// </summary>
        public long ProducedReadings { get { return _producedBefore + Runtime.ProducedReadings; } }

        /// <summary>
        /// CLR boot time before the program runs after a reset of <paramref name="cause"/>: a deep-sleep
        /// wake or a software restart; after a power loss the node cannot know, and counts none.
        /// </summary>
        public static int BootMsAfter(ResetCause cause, PowerProfile power)
        {
            return cause == ResetCause.DeepSleepWake || cause == ResetCause.Software ? power.BootMs : 0;
        }

        /// <summary>
        /// How long to sleep after a cycle: what the runtime asked, to the millisecond (it schedules wakes
        /// on whole seconds of wall time). An outcome under <see cref="MinSleepMs"/> (the cycle overran
        /// its next wake) sleeps to the next whole second at least that far: a host's virtual clock
        /// would not move otherwise, and on the device a shorter sleep only costs another wake.
        /// </summary>
        public static int SleepMsFor(CycleOutcome o, long nowUnixMs)
        {
            if (o.SleepMs >= MinSleepMs)
            {
                return o.SleepMs;
            }

            long wake = (nowUnixMs + MinSleepMs + 999) / 1000 * 1000;
            return (int)(wake - nowUnixMs);
        }

        public void Boot(int bootMs)
        {
            Runtime.Boot(bootMs);
        }

        /// <summary>One wake and the sleep or reset after it. The outcome is the cycle's (read it before the next step).</summary>
        public CycleOutcome Step(ISleeper sleeper)
        {
            CycleOutcome o = Runtime.RunCycle();
            if (o.RestartRequested)
            {
                sleeper.Reboot(); // a remote config changed drivers or buffers; what was buffered is sealed in flash
                Restart(ResetCause.Software);
                return o;
            }

            int ms = SleepMsFor(o, _parts.Clock.UnixMilliseconds);
            if (o.Sleep == SleepKind.Deep)
            {
                sleeper.DeepSleep(ms, o.ConnectAtWake); // flash holds everything the reset loses
                Restart(ResetCause.DeepSleepWake);
            }
            else
            {
                sleeper.LightSleep(ms);
                Runtime.Slept(SleepKind.Light, ms);
            }

            return o;
        }

        /// <summary>What the device does with an exception that escaped a boot or a cycle: count it in flash (three in a row start safe mode), reboot.</summary>
        public void Crashed(ISleeper sleeper)
        {
            Assembly.Crashes.Mark();
            sleeper.Reboot();
            Restart(ResetCause.Software);
        }

        /// <summary>
        /// A reset of <paramref name="cause"/> (after a deep sleep, a reboot, a power loss): RAM is gone,
        /// the platform boots again, the assembly reads flash again, and a new runtime boots from it.
        /// </summary>
        public void Restart(ResetCause cause)
        {
            if (Runtime.SampleInFlight != 0)
            {
                _cutSample = Runtime.SampleInFlight;
                _cutSampleReadings = Runtime.SampleInFlightReadings;
            }

            long produced = Runtime.ProducedReadings;
            Resets++;
            int bootMs = BootMsAfter(cause, _parts.Power);
            _parts.Reset(cause, bootMs);
            Assembly = Assembly.AfterReset();
            Build();
            _producedBefore += produced;
            Runtime.Boot(bootMs);
            if (_cutSample != 0)
            {
                if (Runtime.HighestSampleIdAtBoot >= _cutSample)
                {
                    _producedBefore += _cutSampleReadings; // the sample being staged made it to flash
                }

                _cutSample = 0;
            }
        }

        private void Build()
        {
            Sampler = _parts.CreateSampler(Assembly.Config);
            Uplink = _parts.CreateUplink(Assembly.Config);
            Runtime = Assembly.Build(Sampler, _parts.Clock, _parts.Platform, Uplink, _parts.Power);
        }
    }
}
