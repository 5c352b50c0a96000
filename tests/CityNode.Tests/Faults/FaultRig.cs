using CityNode.Config;
using CityNode.Hal;
using CityNode.Host.Mqtt;
using CityNode.Host.Receiving;
using CityNode.Host.SimulatedHal;
using CityNode.Node;
using CityNode.Power;
using CityNode.Sensors;
using CityNode.Storage;
using CityNode.Telemetry;
using CityNode.Host.Simulation;
using CityNode.Tests.Delivery;

namespace CityNode.Tests.Faults;

/// <summary>
/// One node (8 channels, a sample a minute) on simulated flash with a <see cref="ScriptedUplink"/>
/// whose stored payloads go to a real <see cref="Receiver"/>. It is assembled as the device's node
/// (<see cref="NodeAssembly"/>) and lives by the device's <see cref="WakeSleepDriver"/>: power cuts,
/// crashes and deep sleeps reboot it as the device would, RAM gone, flash kept.
/// <see cref="Reconcile"/> checks produced = delivered + counted drops.
/// </summary>
public sealed class FaultRig
{
    public readonly VirtualClock Clock = new(1_700_000_000);
    public readonly SimPlatform Platform = new();

    /// <summary>The node's flash regions, kept over resets (journal, hint, staging, config, crash).</summary>
    public readonly SimFlashProvider Flash = new(2);
    public int Crashes;
    public readonly ScriptedSensor Sensor;
    public readonly ScriptedUplink Uplink = new();
    public readonly MemorySink Sink = new();
    public readonly Receiver Receiver;
    public readonly NodeConfig Config;
    public readonly VirtualBoard Board;
    public readonly NodeOptions Options;
    public WakeSleepDriver Driver = null!;
    public int PowerCuts;

    public FaultRig(int journalSectors = 64, int sectorSize = 4096, string extraConfig = "", Func<long, int, long>? values = null, ISensor[]? extraSensors = null)
    {
        // Small journals of small sectors fill and wrap within hours of virtual time (the device's sectors are 4 KB).
        Options = new NodeOptions(journalSectors * sectorSize / 1024) { JournalSectorSize = sectorSize };
        Sensor = new ScriptedSensor(8, () => Clock.UnixSeconds, values ?? ((t, c) => (20 + c + (t / 600 % 7)) * 1_000_000L));
        ExtraSensors = extraSensors ?? Array.Empty<ISensor>();
        Config = NodeConfig.Parse(NodeRig.Merge("node.id = 7\nsample = 60s\npublish = 15m\nbatch = 64\n", extraConfig));
        Receiver = new Receiver(BrokerAddress.Parse("mqtt://127.0.0.1:1"), Sink);
        Uplink.Backend = p => Receiver.Handle("citynode/7/up", p);
        Uplink.Clock = Clock;
        Board = new VirtualBoard(Clock, Platform, new PowerProfile(), _ => new Sampler(new ISensor[] { Sensor }.Concat(ExtraSensors).ToArray(), Clock), _ => Uplink);
        Boot(ResetCause.PowerOn);
    }

    public ISensor[] ExtraSensors { get; }

    public NodeRuntime Runtime => Driver.Runtime;

    public FlashJournal Journal => Driver.Assembly.Journal;

    /// <summary>The journal with its RAM fallback, as on the device.</summary>
    public CityNode.Storage.FallbackBatchStore Store => Driver.Assembly.Store;

    public SimFlash JournalFlash => Flash["journal"];

    public SimFlash StagingFlash => Flash["staging"];

    public SimFlash ConfigFlash => Flash["config"];

    public SimFlash CrashFlash => Flash["crash"];

    /// <summary>Readings the node took and kept, over every boot.</summary>
    public long Produced => Driver.ProducedReadings;

    /// <summary>A reset of <paramref name="cause"/> (the first call: power-on); a crash while booting (a driver's setup) is counted and the next boot decides.</summary>
    public void Boot(ResetCause cause)
    {
        try
        {
            if (Driver is null)
            {
                Driver = Board.Assemble(new NodeAssembly(Flash, Config, Options));
                Driver.Boot(0);
            }
            else
            {
                Driver.Restart(cause);
            }
        }
        catch (InvalidOperationException)
        {
            Crash();
        }
    }

    /// <summary>Runs cycles for a while; a power cut (from flash or a hook) reboots the node and goes on.</summary>
    public void RunFor(TimeSpan duration)
    {
        long until = Clock.MonotonicMs + (long)duration.TotalMilliseconds;
        while (Clock.MonotonicMs < until)
        {
            try
            {
                Driver.Step(Board);
            }
            catch (PowerCutException)
            {
                PowerCuts++;
                Board.PowerCut(Driver, 3000);
            }
            catch (InvalidOperationException)
            {
                Crash();
            }
        }
    }

    /// <summary>What the device does with an exception (NodeLoop): count it in flash, reboot.</summary>
    private void Crash()
    {
        Crashes++;
        try
        {
            Driver.Crashed(Board);
        }
        catch (InvalidOperationException)
        {
            Crash();
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
