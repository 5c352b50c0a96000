using CityNode.NanoTwin;
using CityNode.Power;

namespace CityNode.Host.Reports;

/// <summary>
/// The milliseconds a twin board's ledger booked in each CPU and radio state over a stretch of its
/// life (the difference of two readings of the ledger), charged the way <see cref="TwinEnergy"/>
/// charges a whole ledger: the radio states are whole-board currents and replace the CPU's while
/// the radio is on; the CPU's own current covers the awake time with the radio off, split over
/// boot, active and idle in proportion (the ledger books the two dimensions apart, not jointly).
/// </summary>
public sealed class LedgerSpan
{
    private readonly long[] _cpu;
    private readonly long[] _radio;

    private LedgerSpan(long[] cpu, long[] radio)
    {
        _cpu = cpu;
        _radio = radio;
    }

    /// <summary>What the ledger holds now (from the board's first boot).</summary>
    public static LedgerSpan Of(TwinLedger l) =>
        new(Enum.GetValues<CpuState>().Select(l.CpuMs).ToArray(), Enum.GetValues<RadioState>().Select(l.RadioMs).ToArray());

    /// <summary>A span from its times (tests, hand computations).</summary>
    public static LedgerSpan From(long boot, long active, long idle, long lightSleep, long deepSleep, long radioOff, long started, long connecting, long associated) =>
        new(new[] { boot, active, idle, lightSleep, deepSleep }, new[] { radioOff, started, connecting, associated });

    /// <summary>What was booked after <paramref name="earlier"/>.</summary>
    public LedgerSpan Minus(LedgerSpan earlier) =>
        new(_cpu.Zip(earlier._cpu, (a, b) => a - b).ToArray(), _radio.Zip(earlier._radio, (a, b) => a - b).ToArray());

    public long Cpu(CpuState s) => _cpu[(int)s];

    public long Radio(RadioState s) => _radio[(int)s];

    public long TotalMs => _cpu.Sum();

    public long AwakeMs => Cpu(CpuState.Boot) + Cpu(CpuState.Active) + Cpu(CpuState.Idle);

    public long RadioOnMs => Radio(RadioState.Started) + Radio(RadioState.Connecting) + Radio(RadioState.Associated);

    /// <summary>The share of the awake time the CPU's own current is charged for (the radio was off).</summary>
    public double CpuShare => AwakeMs == 0 ? 0 : (double)(AwakeMs - RadioOnMs) / AwakeMs;

    /// <summary>Charge of each state (µA·ms) at the board's currents; the keys are breakdown_ma's, sensors apart.</summary>
    public Dictionary<string, double> ChargeByState(PowerProfile p) => new()
    {
        ["boot"] = CpuShare * Cpu(CpuState.Boot) * p.ActiveMicroamps,
        ["cpu_active"] = CpuShare * Cpu(CpuState.Active) * p.ActiveMicroamps,
        ["cpu_idle"] = CpuShare * Cpu(CpuState.Idle) * p.IdleMicroamps,
        ["wifi_started"] = (double)Radio(RadioState.Started) * p.WifiStartedMicroamps,
        ["wifi_connecting"] = (double)Radio(RadioState.Connecting) * p.WifiConnectingMicroamps,
        ["wifi_associated"] = (double)Radio(RadioState.Associated) * p.WifiAssociatedMicroamps,
        ["light_sleep"] = (double)Cpu(CpuState.LightSleep) * p.LightSleepMicroamps,
        ["deep_sleep"] = (double)Cpu(CpuState.DeepSleep) * p.DeepSleepMicroamps,
    };

    /// <summary>Charge of the span (µA·ms): equal to <see cref="TwinEnergy.ChargeMicroampMs"/> for a whole ledger.</summary>
    public long ChargeMicroampMs(PowerProfile p)
    {
        double cpu = CpuShare * (((Cpu(CpuState.Boot) + Cpu(CpuState.Active)) * (double)p.ActiveMicroamps) + (Cpu(CpuState.Idle) * (double)p.IdleMicroamps));
        return (long)cpu
            + (Radio(RadioState.Started) * p.WifiStartedMicroamps)
            + (Radio(RadioState.Connecting) * p.WifiConnectingMicroamps)
            + (Radio(RadioState.Associated) * p.WifiAssociatedMicroamps)
            + (Cpu(CpuState.LightSleep) * p.LightSleepMicroamps)
            + (Cpu(CpuState.DeepSleep) * p.DeepSleepMicroamps);
    }

    public override string ToString() =>
        string.Join(", ", Enum.GetValues<CpuState>().Select(s => $"{s} {Cpu(s)} ms")) + "; radio " +
        string.Join(", ", Enum.GetValues<RadioState>().Select(s => $"{s} {Radio(s)} ms"));
}
