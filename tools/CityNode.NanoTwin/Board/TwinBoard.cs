namespace CityNode.NanoTwin;

/// <summary>Why the CPU stopped running managed code.</summary>
public enum HaltReason
{
    None = 0,
    /// <summary>Sleep.StartDeepSleep: everything off but the RTC; the wake is a reset.</summary>
    DeepSleep = 1,
    /// <summary>Power.RebootDevice: a software reset.</summary>
    Reboot = 2,
    /// <summary>The supply failed (armed by a test or the chaos plan).</summary>
    PowerCut = 3,
}

/// <summary>What the program was doing when it handed control back to the runner.</summary>
public enum YieldKind
{
    /// <summary>Started (or reset) and not run yet.</summary>
    NotRun = 0,
    /// <summary>In Sleep.StartLightSleep: resumes where it stopped, RAM kept.</summary>
    LightSleep = 1,
    /// <summary>The CPU halted (deep sleep, reboot, power cut): the thread has ended; the next boot starts Main again.</summary>
    Halted = 2,
    /// <summary>Main returned or threw: on nanoFramework the device then idles awake, running nothing, until reset.</summary>
    Exited = 3,
    /// <summary>Thread.Sleep(Timeout.Infinite): awake forever.</summary>
    AwakeForever = 4,
}

/// <summary>
/// One simulated ESP32 board: virtual time, the CPU and radio state booked in a ledger, the pins
/// and what is wired to them, the littlefs I: drive and the NVS (both survive resets), and the
/// thread that runs the device program. The twin's static APIs (Thread.Sleep, I2cDevice, MqttClient
/// …) find their board through <see cref="Current"/>, which flows with the program's thread.
///
/// The program runs on its own thread as a coroutine: <see cref="Resume"/> lets it run until it
/// light-sleeps, halts or ends, so the simulation steps many boards in virtual-time order.
/// </summary>
public sealed partial class TwinBoard
{
    private static readonly AsyncLocal<TwinBoard?> CurrentBoard = new();
    private readonly SemaphoreSlim _resume = new(0);
    private readonly SemaphoreSlim _yielded = new(0);
    private readonly object _gate = new();
    private Thread? _thread;
    private long _bootAtMs;
    private readonly long[] _microsCarry = new long[3]; // per ActiveWork: sub-millisecond work adds up
    private readonly object _ilLock = new();
    private InterpreterMeter? _meter;
    private long _ilMark;
    private double _ilMicrosCarry;
    private bool _interpreting;
    private readonly Queue<(long From, long To)> _sleeps = new();

    /// <summary>
    /// The chip was in light sleep at this world time (of its last 64 light sleeps). Peripherals are
    /// clock-gated then: what a UART receives is lost unless the UART is the wake-up source
    /// (ESP-IDF docs/en/api-reference/system/sleep_modes.rst, "UART wakeup (light sleep only)").
    /// </summary>
    public bool AsleepAt(long worldMs)
    {
        lock (_sleeps)
        {
            foreach (var s in _sleeps)
            {
                if (worldMs > s.From && worldMs <= s.To)
                {
                    return true;
                }
            }

            return false;
        }
    }

    public TwinBoard(ITwinTime time, string name = "esp32")
    {
        Time = time;
        Name = name;
        Ledger = new TwinLedger(this);
        Drive = new TwinLittleFs(this);
        Wiring = new TwinWiring(this);
        _bootAtMs = time.NowMs;
    }

    /// <summary>The board the calling twin API belongs to.</summary>
    public static TwinBoard Current => CurrentBoard.Value ?? throw new InvalidOperationException("a nanoFramework twin API was called outside a twin board (TwinBoard.Enter)");

    public static TwinBoard? CurrentOrNull => CurrentBoard.Value;

    // The node's waits for MQTT events (mscorlib AutoResetEvent.WaitOne with a timeout) idle the chip for
    // the timeout when nothing comes, as Thread.Sleep does; on the host the wait is real, so the board's
    // virtual clock is moved by the timeout (the waiting thread's board). CityNode.Hal.EventWait.
    // upstream: nf-interpreter src/CLR/CorLib/corlib_native_System_Threading_WaitHandle.cpp, WaitOne → Wait:
    // the thread waits for the signal until its expiry time (WaitForSignal), the CPU clocked meanwhile.
    static TwinBoard() => CityNode.Hal.EventWait.TimedOut = ms => CurrentOrNull?.Idle(ms);

    public string Name { get; }

    /// <summary>The world's time (shared with the simulated chips around the board).</summary>
    public ITwinTime Time { get; }

    public TwinLedger Ledger { get; }

    /// <summary>The littlefs internal drive I: (kept over resets, as flash is).</summary>
    public TwinLittleFs Drive { get; }

    /// <summary>Pins and what is wired to them: I2C buses, serial lines, analog inputs.</summary>
    public TwinWiring Wiring { get; }

    /// <summary>Non-volatile storage outside the file system (the wireless configuration block), kept over resets.</summary>
    public Dictionary<string, object> Nvs { get; } = new();

    /// <summary>RAM state of native components (Wi-Fi driver, M2Mqtt sockets …): cleared by every reset.</summary>
    public Dictionary<string, object> Ram { get; } = new();

    /// <summary>What the device printed on its serial console (COM1), with the board's uptime.</summary>
    public List<string> ConsoleLines { get; } = new();

    /// <summary>Runs at every reset before Main (the native firmware's own start-up: Wi-Fi auto-join …).</summary>
    public event Action<TwinBoard>? Booting;

    /// <summary>Milliseconds since this boot (Environment.TickCount64).</summary>
    public long UptimeMs => Time.NowMs - _bootAtMs;

    public int Boots { get; private set; }

    /// <summary>Sleep.GetWakeupCause of this boot: Timer (4) after a deep sleep, Undefined (0) otherwise.</summary>
    public int WakeupCause { get; private set; }

    public HaltReason Halted { get; private set; }

    /// <summary>For a deep sleep: when the RTC timer wakes the chip.</summary>
    public long HaltedSleepMs { get; private set; }

    /// <summary>Timer wake-up armed by Sleep.EnableWakeupByTimer (ms), 0 = none.</summary>
    public long TimerWakeupMs { get; set; }

    /// <summary>The exception that ended Main, when it ended by one.</summary>
    public Exception? ExitException { get; private set; }

    /// <summary>Last thing the program did before handing back control.</summary>
    public YieldKind LastYield { get; private set; }

    /// <summary>Arms a power cut: the supply fails at the N-th flash operation from now (1 = the next one).</summary>
    public void ArmPowerCut(int flashOperations) => Drive.PowerCutIn = flashOperations;

    /// <summary>Makes this thread (and what it starts) belong to the board.</summary>
    public IDisposable Enter()
    {
        var previous = CurrentBoard.Value;
        CurrentBoard.Value = this;
        return new Scope(() => CurrentBoard.Value = previous);
    }

    /// <summary>
    /// Counts the program's interpreted IL as active CPU time (null: none is booked, as in every
    /// simulation). Only IL run while the program has the CPU counts — between <see cref="Resume"/>
    /// and its next yield, and inside <see cref="Invoke{T}"/> — not the host's own calls into the
    /// same code while the program is parked.
    /// </summary>
    public InterpreterMeter? Meter
    {
        get => _meter;
        set
        {
            lock (_ilLock)
            {
                _meter = value;
                _ilMark = value?.Executed() ?? 0;
                _ilMicrosCarry = 0;
            }
        }
    }

    /// <summary>
    /// Books the IL executed since the last sync as <see cref="ActiveWork.Interpreter"/> time at the
    /// meter's rate. Called before every booking (<see cref="TwinLedger.Book(CpuState, long)"/>), at
    /// a halt, a console print and a yield, so the interpreter's time lands where it was spent.
    /// </summary>
    internal void SyncInterpreter()
    {
        long ms;
        lock (_ilLock)
        {
            if (_meter is null)
            {
                return;
            }

            long now = _meter.Executed();
            long il = _interpreting ? now - _ilMark : 0;
            _ilMark = now;
            if (il <= 0)
            {
                return;
            }

            Ledger.IlExecuted += il;
            _ilMicrosCarry += il * 1_000_000.0 / _meter.IlPerSecond;
            ms = (long)(_ilMicrosCarry / 1000);
            _ilMicrosCarry -= ms * 1000;
        }

        Ledger.BookNow(CpuState.Active, ActiveWork.Interpreter, ms);
    }

    /// <summary>The program gets or loses the CPU: IL counts only while it has it.</summary>
    private void Interpreting(bool on)
    {
        SyncInterpreter();
        lock (_ilLock)
        {
            _interpreting = on;
        }
    }

    /// <summary>Every twin API calls this first: nothing runs on a chip that is off.</summary>
    public void EnsureRunning()
    {
        if (Halted != HaltReason.None)
        {
            throw new CpuHaltedException(Halted);
        }
    }

    /// <summary>The CPU stops (deep sleep, reset, power cut): everything the program does after this fails.</summary>
    public CpuHaltedException Halt(HaltReason reason, long sleepMs = 0)
    {
        if (Halted == HaltReason.None)
        {
            Interpreting(false); // what the program runs after this is never executed by the chip
            Halted = reason;
            HaltedSleepMs = sleepMs;
            Ledger.Radio = RadioState.Off;
        }

        return new CpuHaltedException(Halted);
    }

    /// <summary>Native CPU work that takes time (bus transfers, ADC conversions, GC), in microseconds.</summary>
    public void Busy(long micros) => Busy(micros, ActiveWork.Native);

    /// <summary>CPU work of one kind that takes time, in microseconds (TwinLittleFs books its flash time as <see cref="ActiveWork.Flash"/>).</summary>
    public void Busy(long micros, ActiveWork work)
    {
        EnsureRunning();
        long ms;
        lock (_microsCarry)
        {
            _microsCarry[(int)work] += micros;
            ms = _microsCarry[(int)work] / 1000;
            _microsCarry[(int)work] -= ms * 1000;
        }

        if (ms > 0)
        {
            Ledger.Book(work, ms);
        }
    }

    /// <summary>Thread.Sleep: the CLR idles with the CPU clocked (nanoFramework ESP32 does not light-sleep on its own).</summary>
    public void Idle(long ms)
    {
        EnsureRunning();
        if (ms > 0)
        {
            Ledger.Book(CpuState.Idle, ms);
        }
    }

    /// <summary>Sleep.StartLightSleep: books the sleep and hands control back to the runner until it is due.</summary>
    public void LightSleep(long ms)
    {
        EnsureRunning();
        lock (_sleeps)
        {
            _sleeps.Enqueue((Time.NowMs, Time.NowMs + ms));
            if (_sleeps.Count > 64)
            {
                _sleeps.Dequeue();
            }
        }

        var radio = Ledger.Radio;
        Ledger.Radio = RadioState.Off; // ESP-IDF powers the RF down in light sleep; it comes back as it was
        Ledger.Book(CpuState.LightSleep, ms);
        Ledger.Radio = radio;
        YieldToRunner(YieldKind.LightSleep);
        EnsureRunning();
        LightSlept?.Invoke(this, ms);
    }

    /// <summary>After a light sleep of the given length (native drivers that lose state while the RF is down react here).</summary>
    public event Action<TwinBoard, long>? LightSlept;

    /// <summary>Thread.Sleep(Timeout.Infinite): the program waits for nothing, awake.</summary>
    public void SleepForever()
    {
        EnsureRunning();
        YieldToRunner(YieldKind.AwakeForever);
        throw Halt(HaltReason.PowerCut); // only a reset ends it; the runner decides which
    }

    /// <summary>The native serial console (COM1).</summary>
    public void Print(string line)
    {
        EnsureRunning();
        SyncInterpreter(); // the line's timestamp includes the IL run before it
        lock (ConsoleLines)
        {
            ConsoleLines.Add($"[{UptimeMs / 1000.0:0.000}] {line}");
        }
    }

    /// <summary>Powers the board on (or resets it) and starts <paramref name="main"/> on its own thread, parked until <see cref="Resume"/>.</summary>
    public void Start(Action main, bool deepSleepWake)
    {
        // A halted program's thread is past its last twin call (it has handed control back): let it finish.
        if (_thread is { IsAlive: true } && (LastYield is not (YieldKind.Halted or YieldKind.Exited) || !_thread.Join(5000)))
        {
            throw new InvalidOperationException("the program is still running; halt it first");
        }

        PowerUp(deepSleepWake);
        _thread = new Thread(() => Run(main), 512 * 1024) { IsBackground = true, Name = Name };
        _thread.Start();
    }

    /// <summary>
    /// The chip comes out of reset without running a program thread: RAM cleared, pins at their
    /// defaults, the CLR's boot booked, the firmware's start-up run. For running a program's parts
    /// with <see cref="Invoke{T}"/> (tests, the end of a simulation).
    /// </summary>
    public void PowerUp(bool deepSleepWake)
    {
        Halted = HaltReason.None;
        LastYield = YieldKind.NotRun;
        HaltedSleepMs = 0;
        TimerWakeupMs = 0;
        ExitException = null;
        Ram.Clear();
        Wiring.Reset();
        _bootAtMs = Time.NowMs;
        Array.Clear(_microsCarry);
        Interpreting(false);
        Boots++;
        WakeupCause = deepSleepWake ? 4 : 0;
        Ledger.Radio = RadioState.Off;
        using (Enter())
        {
            Ledger.Book(CpuState.Boot, BootMs);
            Booting?.Invoke(this);
        }
    }

    /// <summary>Resets the chip from outside (the EN pin): a parked program's thread ends; nothing it would do after counts.</summary>
    public void Reset()
    {
        if (_thread is { IsAlive: true } && LastYield is YieldKind.NotRun or YieldKind.LightSleep or YieldKind.AwakeForever)
        {
            Halt(HaltReason.Reboot);
            _resume.Release();
            _yielded.Wait();
            _thread.Join(5000);
        }
        else
        {
            Halt(HaltReason.Reboot);
        }
    }

    /// <summary>
    /// The native part of a boot, booked as boot: ROM, second-stage bootloader, nanoCLR start and
    /// assembly load, up to the first IL of Main (power.boot_ms). The managed part of a boot (the
    /// program assembling the node from its files) is counted as IL when the board has a <see cref="Meter"/>.
    /// </summary>
    public int BootMs { get; set; } = 1500;

    /// <summary>Lets the program run until it light-sleeps, halts, idles forever or ends.</summary>
    public YieldKind Resume()
    {
        if (_thread is null)
        {
            throw new InvalidOperationException("not started");
        }

        if (LastYield is YieldKind.Halted or YieldKind.Exited && !_thread.IsAlive)
        {
            return LastYield;
        }

        Interpreting(true);
        _resume.Release();
        _yielded.Wait();
        return LastYield;
    }

    /// <summary>Runs <paramref name="action"/> on the caller's thread as the board, while the program is parked (end-of-run flushes, tests).</summary>
    public T Invoke<T>(Func<T> action)
    {
        lock (_gate)
        {
            using (Enter())
            {
                Interpreting(true);
                try
                {
                    return action();
                }
                finally
                {
                    Interpreting(false);
                }
            }
        }
    }

    private void Run(Action main)
    {
        using (Enter())
        {
            _resume.Wait();
            try
            {
                main();
                LastYield = Halted != HaltReason.None ? YieldKind.Halted : YieldKind.Exited;
            }
            catch (CpuHaltedException)
            {
                LastYield = YieldKind.Halted;
            }
            catch (Exception e) when (Halted != HaltReason.None)
            {
                _ = e; // whatever the program did after the halt does not count
                LastYield = YieldKind.Halted;
            }
            catch (Exception e)
            {
                // nanoFramework prints an unhandled exception and the device stays up, running nothing.
                ExitException = e;
                lock (ConsoleLines)
                {
                    ConsoleLines.Add($"[{UptimeMs / 1000.0:0.000}] ++++ Exception {e.GetType().FullName}: {e.Message}");
                }

                LastYield = YieldKind.Exited;
            }

            Interpreting(false);
        }

        _yielded.Release();
    }

    private void YieldToRunner(YieldKind kind)
    {
        if (Thread.CurrentThread != _thread)
        {
            return; // called from Invoke or a test: nobody to hand control to
        }

        LastYield = kind;
        Interpreting(false);
        _yielded.Release();
        _resume.Wait();
    }

    private sealed class Scope(Action dispose) : IDisposable
    {
        public void Dispose() => dispose();
    }
}

/// <summary>Thrown by every twin API once the CPU is off: nothing after a deep sleep, reset or power cut may take effect.</summary>
public sealed class CpuHaltedException(HaltReason reason) : Exception("the CPU is off (" + reason + ")")
{
    public HaltReason Reason { get; } = reason;
}

/// <summary>The world's clock as the board sees it (the simulation's virtual clock).</summary>
public interface ITwinTime
{
    /// <summary>Unix milliseconds of the simulated world.</summary>
    long NowMs { get; }

    void Advance(long ms);
}
