using System.Diagnostics;
using CityNode.Config;
using CityNode.Host.Data;
using CityNode.Host.Mqtt;
using CityNode.Host.Receiving;
using CityNode.Telemetry;
using MQTTnet;

namespace CityNode.Host.Simulation;

/// <summary>
/// A simulated city: N nodes replaying recorded data through the real core and drivers, an MQTT
/// broker (embedded, or external), and a receiver that decodes, deduplicates and checks every
/// value. Nodes run on virtual time, stepped in time order by a few worker threads; MQTT traffic
/// is real. Faults: a city-wide outage, power cuts at flash writes, broker restarts, lost PUBACKs.
/// </summary>
public sealed class CitySimulation
{
    public const string AirRecording = "sensorcommunity_aberdeen_2018-10_slice.csv";
    public const string WaterRecording = "usgs_03401385_davis_branch_ky_2014-03_slice.csv";

    private readonly SimulationOptions _options;
    private readonly List<ISimNode> _nodes = new();
    private readonly Random _random;
    private int _restartsDone;
    private int _crashesDone;
    private long _lostInCrashes; // publishes the broker had accepted and never delivered

    public CitySimulation(SimulationOptions options)
    {
        _options = options;
        _random = new Random(options.Seed);
    }

    public IReadOnlyList<ISimNode> Nodes => _nodes;

    public async Task<SimulationSummary> RunAsync(Action<SimulationProgress>? progress = null, CancellationToken ct = default)
    {
        var wall = Stopwatch.StartNew();
        if (_options.BrokerRestarts > 0 && _options.Broker is not null)
        {
            throw new FormatException("--broker-restarts needs the embedded broker (it restarts it); leave out --broker");
        }

        if (_options.Database is not null && File.Exists(_options.Database))
        {
            throw new FormatException($"--db {_options.Database}: the file exists; give a new one (simulated nodes restart at id 1 and sequence 1)");
        }

        await using var broker = _options.Broker is null ? await EmbeddedBroker.StartAsync() : null;
        var address = BrokerAddress.Parse(_options.Broker ?? broker!.Url);
        var recordings = LoadRecordings();
        long durationMs = (long)_options.Duration.TotalMilliseconds;
        BuildNodes(address, recordings, durationMs);
        var byId = _nodes.ToDictionary(n => n.Id);
        var verifier = new Verifier(id => byId.TryGetValue(id, out var n) ? n.World : null);
        var checker = new MemorySink { Keep = false, OnStored = verifier.Check };
        using IBatchSink sink = _options.Database is null ? checker : new TeeSink(new Stores.SqliteStore(_options.Database), checker);
        // A short session: the check receiver of a run against an external broker must not leave a queue behind.
        await using var receiver = new Receiver(address, sink) { SessionExpiry = TimeSpan.FromMinutes(10) };
        await receiver.StartAsync(ct);

        foreach (var n in _nodes)
        {
            n.Boot();
        }

        using var reporter = progress is null ? null : new Timer(_ => progress(Snapshot(receiver, durationMs)), null, 250, 250);
        using var stopKeeping = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var keeper = _options.Broker is null ? Task.CompletedTask : KeepReceiverConnectedAsync(receiver, stopKeeping.Token);
        await RunNodesAsync(durationMs, wall, broker, receiver, address, ct);
        stopKeeping.Cancel();
        await keeper;

        // End of the run: every node delivers what it still holds.
        await receiver.EnsureConnectedAsync(ct);
        await Parallel.ForEachAsync(_nodes, new ParallelOptions { MaxDegreeOfParallelism = _options.Workers, CancellationToken = ct }, (n, _) =>
        {
            n.NetworkUp = () => true;
            n.AckLossProbability = 0;
            // With the backend's acknowledgement a node empties its journal one session after the
            // receiver committed: give the receiver a moment between sessions.
            for (int attempt = 0; attempt < 10 && !n.Flush(); attempt++)
            {
                Thread.Sleep(100 * (attempt + 1));
            }

            return ValueTask.CompletedTask;
        });
        await WaitForReceiver(receiver, broker, TimeSpan.FromSeconds(30));
        progress?.Invoke(Snapshot(receiver, durationMs));

        return new SimulationSummary
        {
            Nodes = _nodes.Count,
            Kind = _options.Kind,
            SimulatedSeconds = durationMs / 1000,
            WallSeconds = Math.Round(wall.Elapsed.TotalSeconds, 2),
            Produced = _nodes.Sum(n => n.ProducedReadings),
            Delivered = receiver.Stats.Readings,
            DroppedCounted = _nodes.Sum(n => n.DroppedReadings),
            DuplicatesSuppressed = receiver.Stats.DuplicatesSuppressed,
            Mismatched = verifier.Mismatched,
            ValuesChecked = verifier.Checked,
            ValuesWithinBand = verifier.CheckedWithinBand,
            ValuesUncompensated = verifier.Uncompensated,
            ValuesNearWrap = verifier.NearWrap,
            Batches = receiver.Stats.Batches,
            PayloadBytes = receiver.Stats.PayloadBytes,
            PublishRetries = _nodes.Sum(n => n.TotalRetries),
            PublishesRefused = _nodes.Sum(n => n.RefusedBatches),
            Gaps = receiver.Stats.Gaps,
            OutOfOrder = receiver.Stats.OutOfOrder,
            Rejected = receiver.Stats.Rejected,
            PowerCuts = _nodes.Sum(n => n.PowerCuts),
            Reboots = _nodes.Sum(n => n.Reboots),
            BrokerRestarts = _restartsDone,
            BrokerCrashes = _crashesDone,
            Ack = _options.Ack,
            Acknowledged = _nodes.Sum(n => n.TotalAcknowledged),
            Resent = _nodes.Sum(n => n.TotalResent),
            MaxSectorErases = _nodes.Max(n => n.MaxSectorErases),
            Firmware = _options.Firmware,
            Board = _options.Board,
            FailedBoots = _nodes.OfType<DeviceNode>().Sum(n => n.FailedBoots),
            DeadNodes = _nodes.OfType<DeviceNode>().Count(n => n.Dead),
            Broker = _options.Broker is null ? "embedded" : address.ToString(),
            Data = recordings.All.Select(r => Path.GetFileName(r.Source)).ToList(),
            FirstMismatch = verifier.FirstMismatch,
            Outages = _chaos.Values.Sum(p => p.Outages),
            SensorFaultWindows = _chaos.Values.Sum(p => p.SensorFaults),
            SensorFaults = _nodes.Sum(n => n.SensorFaults),
            ConfigApplied = _reconfigureVersion == 0 ? 0 : receiver.Stats.Nodes.Values.Count(t => t.ConfigVersion >= _reconfigureVersion),
            ConfigRejected = _reconfigureVersion == 0 ? 0 : receiver.Stats.Nodes.Values.Count(t => t.ConfigRejectedVersion == _reconfigureVersion),
            ConfigRejectReason = receiver.Stats.Nodes.Values.Select(t => t.ConfigRejectReason).FirstOrDefault(r => r is not null),
        };
    }

    private static readonly string[] AirColumns = ["temperature_c", "humidity_pct", "pressure_pa", "pm25_ugm3", "pm10_ugm3"];
    private static readonly string[] Co2Columns = ["CO2"];
    private static readonly string[] WaterColumns = ["water_temp_c", "ph", "spec_cond_uscm_25c", "dissolved_oxygen_mgl", "turbidity_fnu"];

    private Recordings LoadRecordings()
    {
        // Each --data file by the columns it holds (its name says nothing); one that fits no recording is refused, not ignored.
        var given = _options.Data.Select(LoadGiven).ToList();
        foreach (var g in given.Where(g => !new[] { AirColumns, Co2Columns, WaterColumns }.Any(c => c.All(g.Has))))
        {
            throw new FormatException($"--data {g.Source}: not a recording simulate replays: air needs the columns {string.Join(", ", AirColumns)}; " +
                $"CO2 needs {string.Join(", ", Co2Columns)}; water needs {string.Join(", ", WaterColumns)} (it has {string.Join(", ", g.Columns.Select(x => x.Name))})");
        }

        Recording? Pick(string bundled, string[] columns) =>
            given.FirstOrDefault(g => columns.All(g.Has)) ?? Recording.Load(Path.Combine(_options.DataFolder, bundled));
        var air = _options.Kind == "water" ? null : Pick(AirRecording, AirColumns);
        var co2 = _options.Kind == "water" ? null : Pick(ReferenceWorkload.UciRecording, Co2Columns);
        var water = _options.Kind == "air" ? null : Pick(WaterRecording, WaterColumns);
        foreach (var g in given.Where(g => g != air && g != co2 && g != water))
        {
            string what = AirColumns.All(g.Has) ? "an air" : Co2Columns.All(g.Has) ? "a CO2" : "a water";
            throw new FormatException($"--data {g.Source}: {what} recording, not replayed with --kind {_options.Kind} (or a second one of its kind: give one per kind)");
        }

        Check(air, AirColumns);
        Check(co2, Co2Columns);
        Check(water, WaterColumns);
        return new Recordings(air, co2, water);
    }

    private static Recording LoadGiven(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"--data {path}: no such file");
        }

        try
        {
            return Recording.Load(path);
        }
        catch (FormatException e)
        {
            throw new FormatException($"--data {path}: not a CSV recording ({e.Message})");
        }
    }

    private static void Check(Recording? r, params string[] columns)
    {
        foreach (var c in columns)
        {
            if (r is not null && !r.Has(c))
            {
                throw new FormatException($"{Path.GetFileName(r.Source)}: needs a column '{c}' (has {string.Join(", ", r.Columns.Select(x => x.Name))})");
            }
        }
    }

    private sealed record Recordings(Recording? Air, Recording? Co2, Recording? Water)
    {
        public IEnumerable<Recording> All => new[] { Air, Co2, Water }.Where(r => r is not null)!;
    }

    private void BuildNodes(BrokerAddress address, Recordings rec, long durationMs)
    {
        long outageStart = durationMs / 4;
        long outageEnd = outageStart + (long)_options.Outage.TotalMilliseconds;
        for (int i = 0; i < _options.Nodes; i++)
        {
            uint id = (uint)(i + 1);
            bool water = _options.Kind == "water" || (_options.Kind == "mixed" && i % 2 == 1);
            var main = water ? rec.Water! : rec.Air!;
            int startRow = (int)((long)i * main.Rows / Math.Max(1, _options.Nodes));
            long start = Present(main.Times[startRow]);
            var clock = new Sim.VirtualClock(start);
            NodeHardware hw;
            if (water)
            {
                hw = NodeHardware.Water(clock, Environment.Water(main, startRow, start));
            }
            else
            {
                var air = Environment.Air(main, startRow, start);
                var co2 = Environment.Co2(rec.Co2!, (int)((long)i * rec.Co2!.Rows / Math.Max(1, _options.Nodes)), start);
                hw = NodeHardware.Air(clock, air, co2, usePms: _options.Kind == "mixed" && i % 4 == 2);
            }

            string config = $"""
                node.id = {id}
                sample = {ValueParser.FormatDuration((long)_options.Sample.TotalSeconds)}
                publish = {ValueParser.FormatDuration((long)_options.Publish.TotalSeconds)}
                batch = {_options.Batch}
                sleep = {_options.SleepMode}
                delivery.ack = {_options.Ack}
                """;
            ISimNode node = _options.Firmware == SimulationOptions.DeviceProgram
                ? new DeviceNode(id, clock, hw, address, config, _options.Storage, _options.Board)
                : new SimulatedNode(id, clock, hw, address, config, _options.Storage);
            node.AckLossProbability = _options.Duplicates ? 0.1 : 0;
            if (_options.Chaos)
            {
                var plan = new ChaosPlan(id, _options.Seed, durationMs);
                _chaos[node] = plan;
                node.NetworkUp = () => plan.NetworkUp(node.ElapsedMs) && (_options.Outage <= TimeSpan.Zero || node.ElapsedMs < outageStart || node.ElapsedMs >= outageEnd);
            }
            else if (_options.Outage > TimeSpan.Zero)
            {
                node.NetworkUp = () => node.ElapsedMs < outageStart || node.ElapsedMs >= outageEnd;
            }

            _nodes.Add(node);
        }
    }

    /// <summary>
    /// A recording's time moved by whole weeks to the present (weekday and time of day kept): nodes
    /// take their clock from SNTP, and nanoFramework's Wi-Fi helper takes a year before 2021 for a
    /// clock not yet set, so a world still in 2014 or 2018 would never give them the time.
    /// </summary>
    public static long Present(long recordingUnix)
    {
        const long week = 7 * 86400;
        const long from = 1_735_689_600; // 2025-01-01
        return recordingUnix >= from ? recordingUnix : recordingUnix + (((from - recordingUnix) / week) + 1) * week;
    }

    /// <summary>Steps nodes in order of their virtual time until each has lived the duration.</summary>
    private int _reconfigureVersion;
    private readonly Dictionary<ISimNode, ChaosPlan> _chaos = new();

    private async Task RunNodesAsync(long durationMs, Stopwatch wall, EmbeddedBroker? broker, Receiver receiver, BrokerAddress address, CancellationToken ct)
    {
        var queue = new PriorityQueue<ISimNode, long>();
        foreach (var n in _nodes)
        {
            queue.Enqueue(n, 0);
        }

        // Power cuts: (node, virtual time) pairs, armed when the node reaches that time.
        double days = durationMs / 86_400_000.0;
        int powerCuts = _options.Chaos ? Math.Max(_options.PowerCuts, (int)Math.Ceiling(_nodes.Count * days)) : _options.PowerCuts;
        int brokerRestarts = _options.Chaos && broker is not null ? Math.Max(_options.BrokerRestarts, (int)Math.Ceiling(days)) : _options.BrokerRestarts;
        var cuts = Enumerable.Range(0, powerCuts)
            .Select(_ => (Node: _nodes[_random.Next(_nodes.Count)], At: (long)(_random.NextDouble() * durationMs)))
            .GroupBy(c => c.Node).ToDictionary(g => g.Key, g => new Queue<long>(g.Select(c => c.At).OrderBy(t => t)));
        var cutRandom = new Random(_options.Seed + 1);
        object gate = new();
        long reconfigureAt = _options.ReconfigureAt is TimeSpan r ? (long)r.TotalMilliseconds : long.MaxValue;
        var restarts = new Queue<long>(Enumerable.Range(1, brokerRestarts).Select(k => durationMs * k / (brokerRestarts + 1)));
        int brokerCrashes = broker is null ? 0 : _options.BrokerCrashes;
        var crashes = new Queue<long>(Enumerable.Range(1, brokerCrashes).Select(k => (durationMs * k / (brokerCrashes + 1)) + (durationMs / (4 * (brokerCrashes + 1)))));
        var lagging = new Queue<long>(crashes.Select(t => t - CrashLagMs));
        Task restarting = Task.CompletedTask;

        var workers = Enumerable.Range(0, Math.Min(_options.Workers, _nodes.Count)).Select(_ => Task.Factory.StartNew(() =>
        {
            while (!ct.IsCancellationRequested)
            {
                ISimNode? node;
                lock (gate)
                {
                    if (!queue.TryDequeue(out node, out long _))
                    {
                        return;
                    }

                    if (restarts.Count > 0 && node.ElapsedMs >= restarts.Peek() && restarting.IsCompleted && broker is not null)
                    {
                        restarts.Dequeue();
                        restarting = RestartBrokerAsync(broker, receiver);
                    }

                    if (lagging.Count > 0 && node.ElapsedMs >= lagging.Peek() && restarting.IsCompleted)
                    {
                        lagging.Dequeue();
                        restarting = receiver.PauseAsync(); // the receiver falls behind: the broker queues for it
                    }

                    if (crashes.Count > 0 && lagging.Count < crashes.Count && node.ElapsedMs >= crashes.Peek() && restarting.IsCompleted && broker is not null)
                    {
                        crashes.Dequeue();
                        restarting = CrashBrokerAsync(broker, receiver);
                    }

                    if (node.ElapsedMs >= reconfigureAt)
                    {
                        // The queue is ordered by virtual time: every node has reached the moment.
                        PublishConfigurations(address).GetAwaiter().GetResult();
                        reconfigureAt = long.MaxValue;
                    }

                    if (cuts.TryGetValue(node, out var due) && due.Count > 0 && node.ElapsedMs >= due.Peek())
                    {
                        due.Dequeue();
                        node.ArmPowerCut(cutRandom);
                    }
                }

                if (_options.Speed is double speed)
                {
                    long wait = (long)(node.ElapsedMs / speed) - wall.ElapsedMilliseconds;
                    if (wait > 0)
                    {
                        Thread.Sleep((int)Math.Min(wait, 1000));
                    }
                }

                if (_chaos.TryGetValue(node, out var plan))
                {
                    plan.Apply(node.Hardware, node.ElapsedMs);
                }

                node.Step();
                if (node.ElapsedMs < durationMs)
                {
                    lock (gate)
                    {
                        queue.Enqueue(node, node.ElapsedMs);
                    }
                }
            }
        }, ct, TaskCreationOptions.LongRunning, TaskScheduler.Default)).ToArray();
        await Task.WhenAll(workers);
        await restarting;
    }

    /// <summary>Publishes every node's new retained configuration (version one above what it runs), as <c>citynode configure</c> does.</summary>
    private async Task PublishConfigurations(BrokerAddress address)
    {
        // Values go to the nodes as given: a bad one is theirs to refuse (and report).
        var settings = _options.ReconfigureSettings.Select(ConfigTopic.Split).ToList();
        using var client = new MqttClientFactory().CreateMqttClient();
        var options = MqttClientSetup.Options(address, "citynode-backend-sim-config");
        await client.ConnectAsync(options.Build());
        foreach (var n in _nodes)
        {
            _reconfigureVersion = n.ConfigVersion + 1;
            await client.PublishAsync(ConfigTopic.Message(n.Id, ConfigTopic.Document(null, settings, _reconfigureVersion)));
        }

        await client.DisconnectAsync();
    }

    /// <summary>
    /// A planned broker restart: refuse nodes, let the receiver take what the broker already
    /// acknowledged, restart (every session and queue is gone: persistence off), resubscribe the
    /// receiver, then let nodes back in. Nodes that try meanwhile fail and back off.
    /// </summary>
    private async Task RestartBrokerAsync(EmbeddedBroker broker, Receiver receiver)
    {
        broker.AcceptNodes = false;
        var sw = Stopwatch.StartNew();
        while (Received(receiver) < broker.Accepted && sw.Elapsed < TimeSpan.FromSeconds(20))
        {
            await Task.Delay(20);
        }

        await broker.RestartAsync();
        await receiver.ReconnectAsync();
        broker.AcceptNodes = true;
        Interlocked.Increment(ref _restartsDone);
    }

    /// <summary>
    /// Virtual time before a crash during which the receiver is away (a receiver restarting, or
    /// lagging under load): the broker has acknowledged the nodes' batches and queues them for it.
    /// </summary>
    private const long CrashLagMs = 30 * 60 * 1000;

    /// <summary>
    /// A broker crash: gone at once with whatever it had acknowledged and not yet delivered (here the
    /// queue of a receiver that was away for <see cref="CrashLagMs"/>), every session and every
    /// retained message; back on the same port a moment later. The receiver connects and subscribes again.
    /// </summary>
    private async Task CrashBrokerAsync(EmbeddedBroker broker, Receiver receiver)
    {
        await broker.RestartAsync();
        Interlocked.Add(ref _lostInCrashes, Math.Max(0, broker.Accepted - Interlocked.Read(ref _lostInCrashes) - Received(receiver)));
        await receiver.EnsureConnectedAsync();
        Interlocked.Increment(ref _crashesDone);
    }

    /// <summary>
    /// Against an external broker: a broker that restarts (or crashes) comes back without the
    /// receiver's session, so the receiver connects and subscribes again, as <c>citynode receive</c> does.
    /// </summary>
    private static async Task KeepReceiverConnectedAsync(Receiver receiver, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(500, ct);
                if (!receiver.IsConnected)
                {
                    await receiver.EnsureConnectedAsync(ct);
                }
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (Exception) when (!ct.IsCancellationRequested)
            {
                // The broker is still down: try again shortly.
            }
        }
    }

    private static long Received(Receiver receiver) => receiver.Stats.Batches + receiver.Stats.DuplicatesSuppressed + receiver.Stats.Rejected;

    private async Task WaitForReceiver(Receiver receiver, EmbeddedBroker? broker, TimeSpan timeout)
    {
        var sw = Stopwatch.StartNew();
        long acked = _nodes.Sum(n => n.TotalAcknowledged);
        while (sw.Elapsed < timeout && (broker is null ? Received(receiver) < acked : Received(receiver) < broker.Accepted - Interlocked.Read(ref _lostInCrashes)))
        {
            await Task.Delay(50);
        }
    }

    private SimulationProgress Snapshot(Receiver receiver, long durationMs)
    {
        long elapsed = _nodes.Count == 0 ? 0 : _nodes.Min(n => n.ElapsedMs);
        return new SimulationProgress(
            _nodes.Count,
            Math.Clamp((double)elapsed / durationMs, 0, 1),
            elapsed / 1000,
            receiver.Stats.Batches,
            receiver.Stats.Readings,
            receiver.Stats.PayloadBytes,
            _nodes.Sum(n => n.TotalRetries),
            _nodes.Count == 0 ? 0 : (int)_nodes.Average(n => n.BatteryMillivolts));
    }
}
