namespace CityNode.NanoTwin;

/// <summary>What the CPU is doing, as the energy model charges it.</summary>
public enum CpuState
{
    /// <summary>From reset to Main: ROM, bootloader, nanoCLR start, assembly load.</summary>
    Boot = 0,
    /// <summary>Running managed code or native calls (bus transfers, flash, TLS).</summary>
    Active = 1,
    /// <summary>Thread.Sleep and blocking waits: the CLR idles with the CPU clocked.</summary>
    Idle = 2,
    LightSleep = 3,
    DeepSleep = 4,
}

/// <summary>The Wi-Fi radio as the native driver leaves it.</summary>
public enum RadioState
{
    /// <summary>esp_wifi_stop'ed or never started (or the chip sleeps).</summary>
    Off = 0,
    /// <summary>esp_wifi_start'ed, not associated: WifiNetworkHelper.Disconnect leaves it here (esp_wifi_disconnect, no stop).</summary>
    Started = 1,
    /// <summary>Scan, authentication, association, DHCP.</summary>
    Connecting = 2,
    /// <summary>Associated with an access point (traffic and modem sleep between beacons).</summary>
    Associated = 3,
}

/// <summary>
/// The board's time, booked by state on the virtual clock: every millisecond the board lives is
/// in exactly one CPU state, and every awake millisecond also in one radio state. Flash operations
/// of the littlefs drive are counted beside.
/// </summary>
public sealed class TwinLedger
{
    private readonly TwinBoard _board;
    private readonly long[] _cpu = new long[5];
    private readonly long[] _radio = new long[4];
    private readonly object _lock = new();

    internal TwinLedger(TwinBoard board) => _board = board;

    /// <summary>The radio's state from now on.</summary>
    public RadioState Radio { get; set; }

    /// <summary>Advances the world's clock by <paramref name="ms"/> spent in <paramref name="state"/>.</summary>
    public void Book(CpuState state, long ms)
    {
        if (ms <= 0)
        {
            return;
        }

        lock (_lock)
        {
            _cpu[(int)state] += ms;
            if (state is not (CpuState.LightSleep or CpuState.DeepSleep))
            {
                _radio[(int)Radio] += ms;
            }
        }

        _board.Time.Advance(ms);
    }

    public long CpuMs(CpuState s)
    {
        lock (_lock)
        {
            return _cpu[(int)s];
        }
    }

    public long RadioMs(RadioState s)
    {
        lock (_lock)
        {
            return _radio[(int)s];
        }
    }

    public long TotalMs
    {
        get
        {
            lock (_lock)
            {
                return _cpu.Sum();
            }
        }
    }

    // littlefs drive operations (see TwinLittleFs)
    public long FileOpens;
    public long FileLoads;
    public long BytesRead;
    public long FileCommits;
    public long BlockErases;
    public long PagePrograms;

    public override string ToString() =>
        string.Join(", ", Enum.GetValues<CpuState>().Select(s => $"{s} {CpuMs(s)} ms")) + "; radio " +
        string.Join(", ", Enum.GetValues<RadioState>().Select(s => $"{s} {RadioMs(s)} ms"));
}
