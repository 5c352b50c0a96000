using CityNode.Power;

namespace CityNode.NanoTwin;

/// <summary>
/// Turns a board's ledger into charge at a board profile's currents. The radio states are whole-board
/// figures and replace the CPU's while awake (as power.radio_ua always did); asleep, the radio is off.
/// </summary>
public static class TwinEnergy
{
    /// <summary>Charge drawn, in µA·ms.</summary>
    public static long ChargeMicroampMs(PowerProfile p, TwinLedger l)
    {
        long awake = l.CpuMs(CpuState.Boot) + l.CpuMs(CpuState.Active) + l.CpuMs(CpuState.Idle);
        long radioOn = l.RadioMs(RadioState.Started) + l.RadioMs(RadioState.Connecting) + l.RadioMs(RadioState.Associated);

        // The CPU's own current for the awake time the radio was off, split by CPU state in proportion.
        double cpuShare = awake == 0 ? 0 : (double)(awake - radioOn) / awake;
        double cpu = cpuShare * (((l.CpuMs(CpuState.Boot) + l.CpuMs(CpuState.Active)) * (double)p.ActiveMicroamps) + (l.CpuMs(CpuState.Idle) * (double)p.IdleMicroamps));
        return (long)cpu
            + (l.RadioMs(RadioState.Started) * p.WifiStartedMicroamps)
            + (l.RadioMs(RadioState.Connecting) * p.WifiConnectingMicroamps)
            + (l.RadioMs(RadioState.Associated) * p.WifiAssociatedMicroamps)
            + (l.CpuMs(CpuState.LightSleep) * p.LightSleepMicroamps)
            + (l.CpuMs(CpuState.DeepSleep) * p.DeepSleepMicroamps);
    }

    /// <summary>Average current over the ledger's time, µA.</summary>
    public static double AverageMicroamps(PowerProfile p, TwinLedger l) => l.TotalMs == 0 ? 0 : (double)ChargeMicroampMs(p, l) / l.TotalMs;

    /// <summary>Average current of each state over the ledger's whole time (mA), for an energy breakdown.</summary>
    public static IReadOnlyDictionary<string, double> BreakdownMilliamps(PowerProfile p, TwinLedger l)
    {
        double total = Math.Max(1, l.TotalMs) * 1000.0;
        long awake = l.CpuMs(CpuState.Boot) + l.CpuMs(CpuState.Active) + l.CpuMs(CpuState.Idle);
        long radioOn = l.RadioMs(RadioState.Started) + l.RadioMs(RadioState.Connecting) + l.RadioMs(RadioState.Associated);
        double cpuShare = awake == 0 ? 0 : (double)(awake - radioOn) / awake;
        return new Dictionary<string, double>
        {
            ["boot"] = cpuShare * l.CpuMs(CpuState.Boot) * p.ActiveMicroamps / total,
            ["cpu_active"] = cpuShare * l.CpuMs(CpuState.Active) * p.ActiveMicroamps / total,
            ["cpu_idle"] = cpuShare * l.CpuMs(CpuState.Idle) * p.IdleMicroamps / total,
            ["wifi_started"] = (double)l.RadioMs(RadioState.Started) * p.WifiStartedMicroamps / total,
            ["wifi_connecting"] = (double)l.RadioMs(RadioState.Connecting) * p.WifiConnectingMicroamps / total,
            ["wifi_associated"] = (double)l.RadioMs(RadioState.Associated) * p.WifiAssociatedMicroamps / total,
            ["light_sleep"] = (double)l.CpuMs(CpuState.LightSleep) * p.LightSleepMicroamps / total,
            ["deep_sleep"] = (double)l.CpuMs(CpuState.DeepSleep) * p.DeepSleepMicroamps / total,
        };
    }
}
