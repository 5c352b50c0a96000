namespace CityNode.Host.Simulation;

/// <summary>What <c>citynode simulate</c> runs.</summary>
public sealed class SimulationOptions
{
    /// <summary>What the nodes run: the ESP32 program on the nanoFramework twin, or the runtime assembled from host parts.</summary>
    public const string DeviceProgram = "esp32-program";
    public const string HostAssembly = "host-assembly";

    public int Nodes { get; set; } = 10;

    /// <summary><see cref="DeviceProgram"/> (the default) or <see cref="HostAssembly"/>.</summary>
    public string Firmware { get; set; } = DeviceProgram;

    /// <summary>Board profile the device program boots with (boards/NAME.board): its pins, power constants, drive size.</summary>
    public string Board { get; set; } = "reference";

    /// <summary>air, water or mixed.</summary>
    public string Kind { get; set; } = "air";

    /// <summary>Recordings to replay; empty = the bundled slices.</summary>
    public List<string> Data { get; set; } = new();

    /// <summary>Virtual seconds per real second; null = as fast as possible.</summary>
    public double? Speed { get; set; }

    public TimeSpan Duration { get; set; } = TimeSpan.FromHours(24);

    /// <summary>External broker URL; null = an embedded broker.</summary>
    public string? Broker { get; set; }

    /// <summary>The soak run: random outages and sensor faults per node, a power cut per node-day, a broker restart a day.</summary>
    public bool Chaos { get; set; }

    /// <summary>At this simulated time, every node gets a new retained configuration with <see cref="ReconfigureSettings"/>.</summary>
    public TimeSpan? ReconfigureAt { get; set; }

    /// <summary>KEY=VALUE settings of the reconfiguration (passed to the nodes as given: a bad value is refused by the nodes).</summary>
    public List<string> ReconfigureSettings { get; set; } = new();

    /// <summary>Also store what the receiver gets in this new SQLite file (for export and energy --from).</summary>
    public string? Database { get; set; }

    /// <summary>Sample interval of every node.</summary>
    public TimeSpan Sample { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Longest time between publishes.</summary>
    public TimeSpan Publish { get; set; } = TimeSpan.FromMinutes(15);

    public int Batch { get; set; } = 64;

    /// <summary>Threads stepping nodes.</summary>
    public int Workers { get; set; } = Math.Max(4, System.Environment.ProcessorCount * 2);

    public int Seed { get; set; } = 1;

    /// <summary>A city-wide network outage of this length, starting a quarter into the run.</summary>
    public TimeSpan Outage { get; set; }

    /// <summary>Power cuts, at random flash writes of random nodes.</summary>
    public int PowerCuts { get; set; }

    /// <summary>Broker restarts (embedded broker), evenly spread; sessions and queues are lost, nothing acknowledged is.</summary>
    public int BrokerRestarts { get; set; }

    /// <summary>
    /// Broker crashes (embedded broker), evenly spread: at once, without letting the receiver take
    /// what the broker had acknowledged; sessions, queues and retained messages are lost (persistence off).
    /// </summary>
    public int BrokerCrashes { get; set; }

    /// <summary>What releases a node's batches (delivery.ack): "backend", the receiver's acknowledgement, or "broker", the PUBACK.</summary>
    public string Ack { get; set; } = "backend";

    /// <summary>Lose one PUBACK in ten on its way to the node, so batches arrive twice and the receiver must drop duplicates.</summary>
    public bool Duplicates { get; set; }

    /// <summary>"light", "deep" or "auto" sleep for every node.</summary>
    public string SleepMode { get; set; } = "auto";

    public NodeStorage Storage { get; set; } = new();

    /// <summary>--ota AFTER: at this simulated time the backend publishes a release to every node (<see cref="OtaRollout"/>).</summary>
    public TimeSpan? OtaAt { get; set; }

    /// <summary>--ota-release: a release file made by <c>citynode release</c>; null = the simulation packs the next version itself.</summary>
    public string? OtaRelease { get; set; }

    /// <summary>--ota-bad crash|silent: the simulation's own release is bad (throws as it starts, or never publishes).</summary>
    public string? OtaBad { get; set; }

    /// <summary>Where the bundled recordings are (the CLI's data folder).</summary>
    public string DataFolder { get; set; } = Path.Combine(AppContext.BaseDirectory, "data");
}
