using CityNode.NanoTwin;
using CityNode.Power;

namespace CityNode.Host.Reports;

/// <summary>
/// The milliseconds a twin board's ledger booked in each CPU and radio state over a stretch of its
/// life (the difference of two readings of the ledger), charged the way <see cref="TwinEnergy"/>
/// charges a whole ledger: the radio states are whole-board currents and replace the CPU's while
/// the radio is on; the CPU's own current covers the awake time with the radio off, split over
/// boot, active and idle in proportion (the ledger books the two dimensions apart, not jointly).
/// Active time is split as the ledger splits it (<see cref="ActiveWork"/>): interpreted IL, flash,
/// other native work.
/// </summary>
public sealed class LedgerSpan
{
    private readonly long[] _cpu;
    private readonly long[] _radio;
    private readonly long[] _active;

    private LedgerSpan(long[] cpu, long[] radio, long[] active, long il)
    {
        _cpu = cpu;
        _radio = radio;
        _active = active;
        IlExecuted = il;
    }

    /// <summary>What the ledger holds now (from the board's first boot).</summary>
    public static LedgerSpan Of(TwinLedger l) =>
        new(Enum.GetValues<CpuState>().Select(l.CpuMs).ToArray(), Enum.GetValues<RadioState>().Select(l.RadioMs).ToArray(),
            Enum.GetValues<ActiveWork>().Select(l.ActiveMs).ToArray(), l.IlExecuted);

    /// <summary>A span from its times (tests, hand computations); <paramref name="ilMs"/> and <paramref name="flashMs"/> are parts of <paramref name="active"/>.</summary>
    public static LedgerSpan From(long boot, long active, long idle, long lightSleep, long deepSleep, long radioOff, long started, long connecting, long associated, long ilMs = 0, long flashMs = 0, long il = 0) =>
        new(new[] { boot, active, idle, lightSleep, deepSleep }, new[] { radioOff, started, connecting, associated }, new[] { ilMs, flashMs, active - ilMs - flashMs }, il);

    /// <summary>The span as plain numbers (it crosses load contexts as JSON: see EnergyReport).</summary>
    public Data ToData() => new(_cpu, _radio, _active, IlExecuted);

    public static LedgerSpan FromData(Data d) => new(d.Cpu, d.Radio, d.Active, d.Il);

    /// <summary>Milliseconds per CPU state, radio state and kind of active work (enum order), and the IL counted.</summary>
    public sealed record Data(long[] Cpu, long[] Radio, long[] Active, long Il);

    /// <summary>What was booked after <paramref name="earlier"/>.</summary>
    public LedgerSpan Minus(LedgerSpan earlier) =>
        new(_cpu.Zip(earlier._cpu, (a, b) => a - b).ToArray(), _radio.Zip(earlier._radio, (a, b) => a - b).ToArray(),
            _active.Zip(earlier._active, (a, b) => a - b).ToArray(), IlExecuted - earlier.IlExecuted);

    public long Cpu(CpuState s) => _cpu[(int)s];

    /// <summary>Part of the active time spent on one kind of work.</summary>
    public long Active(ActiveWork w) => _active[(int)w];

    /// <summary>IL instructions the board's interpreter meter counted in the span (0 without a meter).</summary>
    public long IlExecuted { get; }

    public long Radio(RadioState s) => _radio[(int)s];

    public long TotalMs => _cpu.Sum();

    public long AwakeMs => Cpu(CpuState.Boot) + Cpu(CpuState.Active) + Cpu(CpuState.Idle);

    public long RadioOnMs => Radio(RadioState.Started) + Radio(RadioState.Connecting) + Radio(RadioState.Associated);

    /// <summary>The share of the awake time the CPU's own current is charged for (the radio was off).</summary>
    public double CpuShare => AwakeMs == 0 ? 0 : (double)(AwakeMs - RadioOnMs) / AwakeMs;

    /// <summary>
    /// Charge of each state (µA·ms) at the board's currents; the keys are breakdown_ma's, sensors
    /// apart. Active time is cpu_il (interpreted IL), flash (the drive's operations) and cpu_active (the rest).
    /// </summary>
    public Dictionary<string, double> ChargeByState(PowerProfile p) => new()
    {
        ["boot"] = CpuShare * Cpu(CpuState.Boot) * p.ActiveMicroamps,
        ["cpu_il"] = CpuShare * Active(ActiveWork.Interpreter) * p.ActiveMicroamps,
        ["flash"] = CpuShare * Active(ActiveWork.Flash) * p.ActiveMicroamps,
        ["cpu_active"] = CpuShare * Active(ActiveWork.Native) * p.ActiveMicroamps,
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
        string.Join(", ", Enum.GetValues<CpuState>().Select(s => $"{s} {Cpu(s)} ms")) + " (" +
        string.Join(", ", Enum.GetValues<ActiveWork>().Select(w => $"{w} {Active(w)} ms")) + "); radio " +
        string.Join(", ", Enum.GetValues<RadioState>().Select(s => $"{s} {Radio(s)} ms"));
}
