using CityNode.Config;
using CityNode.Esp32;
using CityNode.Host.Mqtt;
using CityNode.Host.Provisioning;
using CityNode.Host.Reports;
using CityNode.Loader;
using CityNode.NanoTwin;
using CityNode.Power;

namespace CityNode.Host.Simulation;

/// <summary>
/// A simulated node that runs the ESP32 program itself (firmware/CityNode.Esp32: NodeProgram and its
/// glue) on a twin of the nanoFramework APIs: the twin's I2C, serial and ADC reach the simulated
/// chips of <see cref="NodeHardware"/>, its Wi-Fi and M2Mqtt the broker, its files a littlefs model
/// of the I: drive, its sleep and reset the virtual clock. Deep sleep, reboots and power cuts end
/// the program's thread; the next boot runs Main again from the files on the drive, as the chip does.
/// A board with PSRAM is deployed as `citynode provision` deploys it: the loader image
/// (firmware/CityNode.Loader), which loads the application from the drive — the cable's copy in I:\app\
/// or an update's slot — through the twin's Assembly.Load and starts it; a board without runs the
/// application image itself and takes no update (docs/ota.md, two ways to deploy).
/// </summary>
public sealed class DeviceNode : ISimNode
{
    public const string Ssid = "citynode-sim";

    /// <summary>The version the cable-installed application's descriptor names (the boot record calls it version 0).</summary>
    public const string CableVersion = "1.0.0";

    /// <summary>
    /// The size a descriptor of the application is padded to, so its download, its flash reads at every boot
    /// and the loader's heap are the device's: the estimate of CityNode.Esp32.pe that `ota-cost` prints (the
    /// Release gate assemblies × the .pe/.dll ratio of nanoFramework's own mscorlib; docs/ota.md, RAM).
    /// </summary>
    public const int ApplicationPeBytes = 83_000;

    private const string WifiPassword = "sim-wifi-password";
    private readonly long _startMs;
    private readonly PowerProfile _power;
    private readonly int _batteryChannel;
    private readonly int _batteryDivider;
    private NodeProgram? _program; // this boot's: the one the loader constructed (handed over on the board's thread), or the image's

    static DeviceNode()
    {
        // What a release's CityNode.Esp32.pe stands for on the host: this build of the application.
        CityNode.NanoTwin.Clr.Assembly.RegisterHostBuild(AppLoader.ApplicationAssembly, typeof(NodeProgram).Assembly);
    }
    private long _producedBefore;
    private long _faultsBefore;
    private long _ackedBefore;
    private long _retriesBefore;
    private (uint Id, int Readings) _cutSample;
    private bool _awaitingBootCheck;
    private bool _flushBoot;

    /// <param name="configText">The node config without its sensor lines, Wi-Fi and broker (they come from the hardware and the city).</param>
    public DeviceNode(uint id, SimulatedHal.VirtualClock clock, NodeHardware hardware, BrokerAddress broker, string configText, NodeStorage storage, string boardName = "reference")
    {
        Id = id;
        Hardware = hardware;
        Clock = clock;
        _startMs = clock.MonotonicMs;
        Board = new TwinBoard(clock, $"node-{id}");
        string boardText = BoardFile(boardName, storage);
        var profile = BoardProfile.Parse(boardText);
        _power = profile.Power;
        UsesLoader = profile.TakesUpdates;
        _batteryChannel = profile.BatteryAdcChannel;
        _batteryDivider = profile.BatteryDivider;
        Board.BootMs = _power.BootMs;
        Board.Drive.Geometry = Board.Drive.Geometry with { BlockCount = DriveKilobytes(profile.FlashMegabytes) / 4 };
        hardware.WireTo(Board, profile);
        boardText += BenchCalibration(Board);
        if (_batteryChannel >= 0)
        {
            Board.Wiring.AttachAnalog(_batteryChannel, () => BatteryMillivolts / _batteryDivider);
        }

        Board.Network.AccessPoints.Add(new AccessPoint(Ssid, WifiPassword));
        Board.Network.Dns["broker.citynode.sim"] = broker.Host;
        Board.Network.Up = () => NetworkUp();
        Board.Network.Random = new Random((int)id);
        TwinFirmware.Install(Board);
        string credentials = broker.Username is null ? "" : $"mqtt.username = {broker.Username}\nmqtt.password = {broker.Password}\n";
        ProvisionedConfig = configText.TrimEnd() + "\n" + hardware.SensorLines +
            $"wifi.ssid = {Ssid}\nwifi.password = {WifiPassword}\nmqtt.broker = mqtt://{broker.Host}:{broker.Port}\n" + credentials;
        Board.Drive.Deploy("I:\\citynode.conf", System.Text.Encoding.UTF8.GetBytes(ProvisionedConfig));
        Board.Drive.Deploy("I:\\board.conf", System.Text.Encoding.UTF8.GetBytes(boardText));
        DeployApplication(Board, CableVersion);
        LoaderProgram.Watch(Board, app => _program = (NodeProgram)app);
        _config = NodeConfig.Parse(ProvisionedConfig);
    }

    /// <summary>The application's one assembly: every file of a release, and the cable's copy in I:\app\.</summary>
    public const string ApplicationAssembly = "CityNode.Esp32";

    /// <summary>True when the board runs the loader image (a board with PSRAM: the loaded application lives in the managed heap); false: the application image, no updates.</summary>
    public bool UsesLoader { get; set; }

    /// <summary>What the cable writes beside the loader image (nanoff --filedeployment): the application's .pe (here its descriptor) and the list the loader reads.</summary>
    public static void DeployApplication(TwinBoard board, string version, string? defect = null)
    {
        board.Drive.Deploy("I:\\" + AppLoader.AppFolder + NodeProvisioning.ApplicationFile, CityNode.NanoTwin.Clr.TwinApplication.Descriptor(AppLoader.ApplicationAssembly, version, defect, ApplicationPeBytes));
        board.Drive.Deploy("I:\\" + AppLoader.AppList, System.Text.Encoding.ASCII.GetBytes(NodeProvisioning.AppListText));
    }

    public uint Id { get; }

    public string Kind => Hardware.Kind;

    public World World => Hardware.World;

    public NodeHardware Hardware { get; }

    public SimulatedHal.VirtualClock Clock { get; }

    /// <summary>The ESP32 board the program runs on (its ledger, drive, console).</summary>
    public TwinBoard Board { get; }

    /// <summary>citynode.conf as deployed to the drive.</summary>
    public string ProvisionedConfig { get; }

    private NodeConfig _config;

    /// <summary>The program of the current boot (null before the first step and while deep-sleeping).</summary>
    public NodeProgram? Program => _program;


    public long ElapsedMs => Clock.MonotonicMs - _startMs;

    public long ProducedReadings => _producedBefore + (_program?.Runtime?.ProducedReadings ?? 0);

    public long DroppedReadings
    {
        get
        {
            var node = _program?.Node;
            var runtime = _program?.Runtime;
            return (runtime?.Ring.DroppedReadings ?? 0) + (node?.Store is { } s ? s.DroppedReadings + s.QuarantinedReadings : 0);
        }
    }

    public long RefusedBatches => (_program?.Node?.Store?.QuarantinedBatches ?? 0) + _refusedKeptBefore + (_program?.Runtime?.Publisher.RefusedKept ?? 0);

    private long _refusedKeptBefore;

    public long SensorFaults => _faultsBefore + (_program?.Sampler?.FaultCount ?? 0);

    public long TotalAcknowledged => _ackedBefore + (_program?.Runtime?.Publisher.Acknowledged ?? 0);

    // The node keeps its resend count over deep sleep (runtime record): the highest seen, not a sum over boots.
    public long TotalResent => Math.Max(_resentBefore, _program?.Runtime?.Publisher.Resent ?? 0);

    private long _resentBefore;

    public long TotalRetries => _retriesBefore + (_program?.Runtime?.FailedDeliveries ?? 0);

    public int PowerCuts { get; private set; }

    public int Reboots { get; private set; }

    /// <summary>Boots after which the program slept to try again instead of running the node (no config, a bad line, no network time).</summary>
    public int FailedBoots { get; private set; }

    /// <summary>True once Main has ended or idles forever: the node is up but runs nothing (until a power cycle).</summary>
    public bool Dead { get; private set; }

    public int MaxSectorErases => Board.Drive.EraseCounts.Max();

    /// <summary>The A/B boot record as the current (or last) boot's loader read it: the release the node runs and its state; null before a boot assembled the node.</summary>
    public CityNode.Ota.BootRecord? OtaRecord => _program?.Node?.Loader?.Record ?? _lastOtaRecord;

    private CityNode.Ota.BootRecord? _lastOtaRecord;

    /// <summary>What the program last ran with (kept while it deep-sleeps).</summary>
    public NodeConfig Config => _config = _program?.Runtime?.Config ?? _config;

    public int ConfigVersion => Config.Version;

    public Func<bool> NetworkUp { get; set; } = () => true;

    public double AckLossProbability
    {
        get => Board.Network.AckLossProbability;
        set => Board.Network.AckLossProbability = value;
    }

    /// <summary>Battery the node started with and what the board's ledger says it drew, at the board profile's currents.</summary>
    public double BatteryMah { get; set; } = 3000;

    public double ConsumedMah => TwinEnergy.ChargeMicroampMs(_power, Board.Ledger) / 3_600_000_000.0;

    public int BatteryMillivolts => SimulatedNode.LiIonMillivolts(Math.Clamp(1 - (ConsumedMah / BatteryMah), 0, 1));

    public void Boot() => Start(deepSleepWake: false);

    public void Step()
    {
        if (Dead)
        {
            Board.Ledger.Book(CpuState.Idle, 60_000); // up and drawing current, doing nothing
            return;
        }

        var yielded = Board.Resume();
        CheckSampleCutByPowerLoss();
        switch (yielded)
        {
            case YieldKind.LightSleep:
                return;
            case YieldKind.Halted:
                Restarted(Board.Halted);
                return;
            default:
                Dead = true; // Main ended or waits forever: nanoFramework keeps the chip up, running nothing
                return;
        }
    }

    /// <summary>
    /// The end of a run: the node is reset into a boot with Wi-Fi joined (as if its next wake were a
    /// publishing one), and that boot's program seals what flash holds and delivers it.
    /// </summary>
    public bool Flush()
    {
        if (Dead)
        {
            return false;
        }

        try
        {
            if (!_flushBoot)
            {
                CollectFrom(_program);
                Board.Reset();
                TwinFirmware.SaveWifiAutoConnect(Board, true);
                Board.PowerUp(deepSleepWake: true);
                // The boot as the loader runs it (the trial's boot counted, the release loaded), then the program's assembly without its loop.
                if (UsesLoader && !Board.Invoke(new LoaderProgram().LoadApplication))
                {
                    return false;
                }

                var program = new NodeProgram(UsesLoader ? AppLoader.Version : 0);
                _program = program;
                if (!Board.Invoke(program.Assemble))
                {
                    return false;
                }

                Board.Invoke(() =>
                {
                    program.Runtime.Boot(0);
                    return true;
                });
                _flushBoot = true;
            }

            return Board.Invoke(_program!.Runtime.Flush);
        }
        catch (CpuHaltedException)
        {
            return false;
        }
    }

    public void ArmPowerCut(Random random) => Board.ArmPowerCut(1 + random.Next(6));

    public void Dispose()
    {
    }

    /// <summary>Adds what a program that is ending counted to the node's totals.</summary>
    private void CollectFrom(NodeProgram? program)
    {
        _ = Config; // remember what it ran with
        _lastOtaRecord = program?.Node?.Loader?.Record ?? _lastOtaRecord;
        var runtime = program?.Runtime;
        if (runtime is not null)
        {
            _producedBefore += runtime.ProducedReadings;
            _faultsBefore += program!.Sampler.FaultCount;
            _ackedBefore += runtime.Publisher.Acknowledged;
            _resentBefore = Math.Max(_resentBefore, runtime.Publisher.Resent);
            _refusedKeptBefore += runtime.Publisher.RefusedKept;
            _retriesBefore += runtime.FailedDeliveries;
        }

        _program = null;
    }

    private void Restarted(HaltReason reason)
    {
        Reboots++;
        var runtime = _program?.Runtime;
        if (runtime is null && reason == HaltReason.DeepSleep)
        {
            FailedBoots++; // slept to retry: no config, a bad line, no network time
        }

        CollectFrom(_program);

        switch (reason)
        {
            case HaltReason.DeepSleep:
                Board.Ledger.Book(CpuState.DeepSleep, Board.HaltedSleepMs);
                Start(deepSleepWake: true);
                break;
            case HaltReason.PowerCut:
                PowerCuts++;
                if (runtime is { SampleInFlight: not 0 })
                {
                    _cutSample = (runtime.SampleInFlight, runtime.SampleInFlightReadings);
                    _awaitingBootCheck = true;
                }

                Clock.Advance(5000); // off: no current drawn, nothing booked
                Board.RtcPowerLost();
                Start(deepSleepWake: false);
                break;
            default:
                Start(deepSleepWake: false);
                break;
        }
    }

    /// <summary>The sample being staged when the power failed counts as produced if the next boot found it in flash.</summary>
    private void CheckSampleCutByPowerLoss()
    {
        if (_awaitingBootCheck && _program?.Runtime is { } r)
        {
            _awaitingBootCheck = false;
            if (r.HighestSampleIdAtBoot >= _cutSample.Id)
            {
                _producedBefore += _cutSample.Readings;
            }
        }
    }

    private void Start(bool deepSleepWake)
    {
        _program = null;
        if (UsesLoader)
        {
            Board.Start(LoaderProgram.Main, deepSleepWake);
            return;
        }

        Board.Start(() =>
        {
            var p = new NodeProgram(0);
            _program = p;
            p.Run();
        }, deepSleepWake);
    }

    /// <summary>
    /// What the technician's two-point bench calibration of this chip's ADC writes into board.conf
    /// (docs/field-guide.md): the line through the readings at two known voltages, as mV at raw 0 and 4095.
    /// </summary>
    public static string BenchCalibration(TwinBoard board)
    {
        double low = AdcTwin.MillivoltsOf(board, false, 500);
        double high = AdcTwin.MillivoltsOf(board, false, 2500);
        double slope = (high - low) / 2000;
        double zero = low - (slope * 500);
        return $"\nadc.zero_mv = {Math.Round(zero)}\nadc.full_scale_mv = {Math.Round(zero + (slope * 4095))}\n";
    }

    /// <summary>nanoFramework's ESP32 partition tables give the I: drive 64 KB (2 MB flash), 256 KB (4 MB), 2 MB (8 MB), 3 MB (16 MB).</summary>
    private static int DriveKilobytes(int flashMegabytes) => flashMegabytes switch { <= 2 => 64, <= 4 => 256, <= 8 => 2048, _ => 3072 };

    /// <summary>The board profile as deployed, with the simulation's journal size.</summary>
    private static string BoardFile(string name, NodeStorage storage)
    {
        string text = Boards.Text(name);
        int kb = storage.JournalSectors * 4;
        return string.Join('\n', text.Split('\n').Where(l => !l.TrimStart().StartsWith("board.journal_kb", StringComparison.Ordinal))) + $"\nboard.journal_kb = {kb}\n";
    }
}
