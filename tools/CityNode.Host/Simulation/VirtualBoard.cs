using CityNode.Config;
using CityNode.Hal;
using CityNode.Host.SimulatedHal;
using CityNode.Node;
using CityNode.Power;
using CityNode.Sensors;

namespace CityNode.Host.Simulation;

/// <summary>
/// What sleeping and resetting mean on the host, for <see cref="WakeSleepDriver"/>: a sleep moves the
/// virtual clock (no real time passes), a reset sets the simulated board's reset cause, ends the
/// last uplink's connection and moves the clock over the CLR boot. A harness gives only what differs:
/// how its sensors and uplink are built. <see cref="Assemble"/> puts a node together on it.
/// </summary>
public sealed class VirtualBoard(VirtualClock clock, SimPlatform platform, PowerProfile power, Func<NodeConfig, Sampler> sampler, Func<NodeConfig, IUplink> uplink)
    : INodeParts, ISleeper
{
    /// <summary>The wake-up cause nanoFramework reports after a timer wake (ESP_SLEEP_WAKEUP_TIMER).</summary>
    public const int TimerWakeup = 4;

    private IUplink? _uplink;

    public VirtualClock Clock => clock;

    public SimPlatform Platform => platform;

    public PowerProfile Power => power;

    IClock INodeParts.Clock => clock;

    INodePlatform INodeParts.Platform => platform;

    /// <summary>A node from <paramref name="assembly"/> on this board after power-on, to boot with <see cref="WakeSleepDriver.Boot"/>(0).</summary>
    public WakeSleepDriver Assemble(NodeAssembly assembly)
    {
        platform.ResetCause = ResetCause.PowerOn;
        platform.WakeupCause = 0;
        return new WakeSleepDriver(assembly, this);
    }

    /// <summary>The power fails for <paramref name="offMs"/> and comes back: the node boots from flash (RAM and the RTC's sleep are gone).</summary>
    public void PowerCut(WakeSleepDriver driver, long offMs)
    {
        clock.Advance(offMs);
        driver.Restart(ResetCause.PowerOn);
    }

    public Sampler CreateSampler(NodeConfig config) => sampler(config);

    public IUplink CreateUplink(NodeConfig config) => _uplink = uplink(config);

    public void Reset(ResetCause cause, int bootMs)
    {
        platform.ResetCause = cause;
        platform.WakeupCause = cause == ResetCause.DeepSleepWake ? TimerWakeup : 0;

        // The connection dies with the CPU: a socket is dropped (no DISCONNECT packet), a scripted session forgotten.
        if (_uplink is IDisposable d)
        {
            d.Dispose();
        }
        else
        {
            _uplink?.Disconnect();
        }

        clock.Advance(bootMs);
    }

    public void LightSleep(int ms) => clock.Advance(ms);

    public void DeepSleep(int ms, bool radioAtWake)
    {
        if (platform.RadioChosenAtReset)
        {
            platform.RadioReady = radioAtWake;
        }

        clock.Advance(ms);
    }

    public void Reboot()
    {
    }
}
