using CityNode.Config;
using CityNode.Hal;
using CityNode.Host.Mqtt;
using CityNode.Host.Receiving;
using CityNode.Host.Sim;
using CityNode.Node;
using CityNode.Power;
using CityNode.Sensors;
using CityNode.Storage;
using CityNode.Telemetry;
using CityNode.Tests.Delivery;

namespace CityNode.Tests.Faults;

/// <summary>
/// One node (8 channels, a sample a minute) on simulated flash with a <see cref="ScriptedUplink"/>
/// whose stored payloads go to a real <see cref="Receiver"/>. Power cuts reboot it as the device
/// would: RAM gone, flash kept. <see cref="Reconcile"/> checks produced = delivered + counted drops.
/// </summary>
public sealed class FaultRig
{
    public readonly VirtualClock Clock = new(1_700_000_000);
    public readonly SimPlatform Platform = new();
    public readonly SimFlash JournalFlash;
    public readonly SimFlash StagingFlash = new(4096, 4, seed: 3);
    public readonly SimFlash ConfigFlash = new(4096, 2, seed: 4);
    public readonly SimFlash CrashFlash = new(4096, 1, seed: 6);
    public int Crashes;
    public readonly ScriptedSensor Sensor;
    public readonly ScriptedUplink Uplink = new();
    public readonly MemorySink Sink = new();
    public readonly Receiver Receiver;
    public readonly NodeConfig Config;
    public NodeRuntime Runtime = null!;
    public FlashJournal Journal = null!;
    public CityNode.Delivery.FallbackBatchStore Store = null!;
    public int PowerCuts;
    private long _producedBefore;

    public FaultRig(int journalSectors = 64, int sectorSize = 4096, string extraConfig = "", Func<long, int, long>? values = null, ISensor[]? extraSensors = null)
    {
        JournalFlash = new SimFlash(sectorSize, journalSectors, seed: 2);
        Sensor = new ScriptedSensor(8, () => Clock.UnixSeconds, values ?? ((t, c) => (20 + c + (t / 600 % 7)) * 1_000_000L));
        ExtraSensors = extraSensors ?? Array.Empty<ISensor>();
        Config = NodeConfig.Parse(NodeRig.Merge("node.id = 7\nsample = 60s\npublish = 15m\nbatch = 64\n", extraConfig));
        Receiver = new Receiver(BrokerAddress.Parse("mqtt://127.0.0.1:1"), Sink);
        Uplink.Backend = p => Receiver.Handle("citynode/7/up", p);
        Uplink.Clock = Clock;
        Boot(ResetCause.PowerOn);
    }

    public ISensor[] ExtraSensors { get; }

    /// <summary>Readings the node took and kept, over every boot.</summary>
    public long Produced => _producedBefore + Runtime.ProducedReadings;

    public void Boot(ResetCause cause)
    {
        if (Runtime is not null)
        {
            _producedBefore += Runtime.ProducedReadings;
        }

        Platform.ResetCause = cause;
        var sampler = new Sampler(new ISensor[] { Sensor }.Concat(ExtraSensors).ToArray(), Clock);
        Journal = new FlashJournal(JournalFlash, 1);
        var services = new NodeServices
        {
            Clock = Clock,
            Platform = Platform,
            Uplink = Uplink,
            Store = Store = new CityNode.Delivery.FallbackBatchStore(Journal, new CityNode.Delivery.RamBatchStore(16 * 1024, 1)),
            Staging = new SampleStaging(StagingFlash, sampler.ChannelCount, Config.Batch + 8),
            Sampler = sampler,
            ConfigStore = new ConfigStore(ConfigFlash),
            CrashCounter = new CrashCounter(CrashFlash),
            Power = new PowerProfile(),
            RingBytes = 16 * 1024,
            MaxPayloadBytes = BatchEncoder.WorstCaseSize(Config.Batch, sampler.ChannelCount),
        };
        Runtime = new NodeRuntime(Config, services);
        try
        {
            Runtime.Boot(0);
        }
        catch (InvalidOperationException)
        {
            // A crash while booting (a driver's setup): counted, and the next boot decides.
            Crashes++;
            new CrashCounter(CrashFlash).Mark();
            Clock.Advance(2000);
            Boot(ResetCause.Software);
        }
    }

    /// <summary>Runs cycles for a while; a power cut (from flash or a hook) reboots the node and goes on.</summary>
    public void RunFor(TimeSpan duration)
    {
        long until = Clock.MonotonicMs + (long)duration.TotalMilliseconds;
        while (Clock.MonotonicMs < until)
        {
            CycleOutcome o;
            uint inFlight = 0;
            int inFlightReadings = 0;
            try
            {
                o = Runtime.RunCycle();
            }
            catch (PowerCutException)
            {
                PowerCut(ref inFlight, ref inFlightReadings);
                continue;
            }
            catch (InvalidOperationException)
            {
                // What the device glue does with an exception: count it in flash, reboot.
                Crashes++;
                new CrashCounter(CrashFlash).Mark();
                Uplink.Disconnect();
                Clock.Advance(2000);
                Boot(ResetCause.Software);
                continue;
            }

            long wake = ((Clock.MonotonicMs + Math.Max(o.SleepMs, 1000) + 999) / 1000) * 1000;
            long ms = wake - Clock.MonotonicMs;
            Clock.Advance(ms);
            if (o.Sleep == SleepKind.Deep)
            {
                Boot(ResetCause.DeepSleepWake);
                Runtime.Slept(SleepKind.Deep, ms);
            }
            else
            {
                Runtime.Slept(SleepKind.Light, ms);
            }
        }
    }

    private void PowerCut(ref uint inFlight, ref int inFlightReadings)
    {
        PowerCuts++;
        inFlight = Runtime.SampleInFlight;
        inFlightReadings = Runtime.SampleInFlightReadings;
        Uplink.Disconnect();
        Clock.Advance(3000);
        Boot(ResetCause.PowerOn);
        if (inFlight != 0 && Runtime.HighestSampleId >= inFlight)
        {
            _producedBefore += inFlightReadings; // the sample being staged made it to flash
        }
    }

    /// <summary>Delivers everything left (network up, every PUBLISH acknowledged).</summary>
    public void Drain()
    {
        Uplink.NetworkUp = true;
        Uplink.Fate = _ => PublishFate.Ack;
        Uplink.BeforeAck = null;
        Uplink.AfterStored = null;
        for (int i = 0; i < 5 && !Runtime.Flush(); i++)
        {
        }
    }

    /// <summary>Readings the node counted as lost (ring or journal overflow, quarantined), over every boot: they live in flash.</summary>
    public long CountedDrops => Store.DroppedReadings + Store.QuarantinedReadings + Runtime.Ring.DroppedReadings;

    /// <summary>Every reading is either at the backend once or counted as dropped by the node.</summary>
    public void Reconcile()
    {
        Xunit.Assert.Equal(Produced, Receiver.Stats.Readings + CountedDrops);
        Xunit.Assert.Equal(0, Receiver.Stats.Rejected);
    }
}
