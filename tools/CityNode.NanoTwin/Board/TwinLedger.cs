namespace CityNode.NanoTwin;

/// <summary>What the CPU is doing, as the energy model charges it.</summary>
public enum CpuState
{
    /// <summary>From reset to Main: ROM, bootloader, nanoCLR start, assembly load.</summary>
    Boot = 0,
    /// <summary>Running managed code or native calls (bus transfers, flash, TLS): see <see cref="ActiveWork"/>.</summary>
    Active = 1,
    /// <summary>Thread.Sleep and blocking waits: the CLR idles with the CPU clocked.</summary>
    Idle = 2,
    LightSleep = 3,
    DeepSleep = 4,
}

/// <summary>What the CPU was doing while <see cref="CpuState.Active"/>: the ledger keeps each apart so the report can split it.</summary>
public enum ActiveWork
{
    /// <summary>Interpreting the program's IL (counted by the board's <see cref="InterpreterMeter"/>, at its IL/s).</summary>
    Interpreter = 0,
    /// <summary>Waiting on the SPI NOR behind the littlefs drive (TwinLittleFs's costs).</summary>
    Flash = 1,
    /// <summary>Other native work: bus transfers, ADC conversions, the TLS handshake, GC.</summary>
    Native = 2,
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
    private readonly long[] _active = new long[3];
    private readonly object _lock = new();

    internal TwinLedger(TwinBoard board) => _board = board;

    /// <summary>The radio's state from now on.</summary>
    public RadioState Radio { get; set; }

    /// <summary>
    /// Advances the world's clock by <paramref name="ms"/> spent in <paramref name="state"/> (active
    /// time booked here is <see cref="ActiveWork.Native"/>). The IL the program ran since the last
    /// booking is booked first (<see cref="TwinBoard.SyncInterpreter"/>), so time stays in order.
    /// </summary>
    public void Book(CpuState state, long ms)
    {
        _board.SyncInterpreter();
        BookNow(state, ActiveWork.Native, ms);
    }

    /// <summary>Active time of one kind of work (<see cref="TwinBoard.Busy"/>).</summary>
    public void Book(ActiveWork work, long ms)
    {
        _board.SyncInterpreter();
        BookNow(CpuState.Active, work, ms);
    }

    /// <summary>Books without syncing the interpreter (the sync itself books through here).</summary>
    internal void BookNow(CpuState state, ActiveWork work, long ms)
    {
        if (ms <= 0)
        {
            return;
        }

        lock (_lock)
        {
            _cpu[(int)state] += ms;
            if (state == CpuState.Active)
            {
                _active[(int)work] += ms;
            }

            if (state is not (CpuState.LightSleep or CpuState.DeepSleep))
            {
                _radio[(int)Radio] += ms;
            }
        }

        _board.Time.Advance(ms);
    }

    /// <summary>Active milliseconds spent on one kind of work; the three add up to <see cref="CpuMs"/>(Active).</summary>
    public long ActiveMs(ActiveWork w)
    {
        lock (_lock)
        {
            return _active[(int)w];
        }
    }

    /// <summary>IL instructions the board's meter counted and booked as <see cref="ActiveWork.Interpreter"/> time.</summary>
    public long IlExecuted { get; internal set; }

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
