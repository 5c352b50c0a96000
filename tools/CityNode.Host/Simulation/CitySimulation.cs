using System.Diagnostics;
using CityNode.Config;
using CityNode.Host.Data;
using CityNode.Host.Mqtt;
using CityNode.Host.Receiving;
using CityNode.Telemetry;

namespace CityNode.Host.Simulation;

/// <summary>
/// A simulated city: N nodes replaying recorded data through the real core and drivers, an MQTT
/// broker (embedded, or external), and a receiver that decodes, deduplicates and checks every
/// value. Nodes run on virtual time, stepped in time order by a few worker threads; MQTT traffic
/// is real.
/// </summary>
public sealed class CitySimulation
{
    public const string AirRecording = "sensorcommunity_aberdeen_2018-10_slice.csv";
    public const string WaterRecording = "usgs_03401385_davis_branch_ky_2014-03_slice.csv";

    private readonly SimulationOptions _options;
    private readonly List<SimulatedNode> _nodes = new();

    public CitySimulation(SimulationOptions options)
    {
        _options = options;
    }

    public IReadOnlyList<SimulatedNode> Nodes => _nodes;

    public async Task<SimulationSummary> RunAsync(Action<SimulationProgress>? progress = null, CancellationToken ct = default)
    {
        var wall = Stopwatch.StartNew();
        await using var broker = _options.Broker is null ? await EmbeddedBroker.StartAsync() : null;
        var address = BrokerAddress.Parse(_options.Broker ?? broker!.Url);
        var recordings = LoadRecordings();
        BuildNodes(address, recordings);
        var byId = _nodes.ToDictionary(n => n.Id);
        var verifier = new Verifier(id => byId.TryGetValue(id, out var n) ? n.Environment : null);
        var sink = new MemorySink { Keep = false, OnStored = verifier.Check };
        await using var receiver = new Receiver(address, sink);
        await receiver.StartAsync(ct);

        foreach (var n in _nodes)
        {
            n.Boot();
        }

        long durationMs = (long)_options.Duration.TotalMilliseconds;
        using var reporter = progress is null ? null : new Timer(_ => progress(Snapshot(receiver, durationMs)), null, 250, 250);
        await RunNodesAsync(durationMs, wall, ct);

        // End of the run: every node delivers what it still holds.
        await Parallel.ForEachAsync(_nodes, new ParallelOptions { MaxDegreeOfParallelism = _options.Workers, CancellationToken = ct }, (n, _) =>
        {
            for (int attempt = 0; attempt < 5 && !n.Flush(); attempt++)
            {
            }

            return ValueTask.CompletedTask;
        });
        await WaitForReceiver(receiver, TimeSpan.FromSeconds(30));
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
            Batches = receiver.Stats.Batches,
            PayloadBytes = receiver.Stats.PayloadBytes,
            PublishRetries = _nodes.Sum(n => n.Runtime.Publisher.Retries),
            Gaps = receiver.Stats.Gaps,
            Rejected = receiver.Stats.Rejected,
            Broker = _options.Broker is null ? "embedded" : address.ToString(),
            Data = recordings.Select(r => Path.GetFileName(r.Source)).ToList(),
            FirstMismatch = verifier.FirstMismatch,
        };
    }

    private List<Recording> LoadRecordings()
    {
        var files = _options.Data.Count > 0
            ? _options.Data
            : new List<string> { Path.Combine(_options.DataFolder, AirRecording) };
        return files.Select(f => Recording.Load(f)).ToList();
    }

    private void BuildNodes(BrokerAddress address, List<Recording> recordings)
    {
        var air = recordings.First();
        for (int i = 0; i < _options.Nodes; i++)
        {
            uint id = (uint)(i + 1);
            int startRow = (int)((long)i * air.Rows / Math.Max(1, _options.Nodes));
            long start = air.Times[startRow];
            var env = new Environment(air, startRow, start)
                .Map(Channels.AirTemperature, "temperature_c")
                .Map(Channels.RelativeHumidity, "humidity_pct")
                .Map(Channels.AirPressure, "pressure_pa");
            string config = $"""
                node.id = {id}
                sample = {ValueParser.FormatDuration((long)_options.Sample.TotalSeconds)}
                publish = {ValueParser.FormatDuration((long)_options.Publish.TotalSeconds)}
                batch = {_options.Batch}
                sleep = light
                """;
            _nodes.Add(new SimulatedNode(id, "air", env, start, address, config));
        }
    }

    /// <summary>Steps nodes in order of their virtual time until each has lived the duration.</summary>
    private Task RunNodesAsync(long durationMs, Stopwatch wall, CancellationToken ct)
    {
        var queue = new PriorityQueue<SimulatedNode, long>();
        foreach (var n in _nodes)
        {
            queue.Enqueue(n, 0);
        }

        object gate = new();
        var workers = Enumerable.Range(0, Math.Min(_options.Workers, _nodes.Count)).Select(_ => Task.Factory.StartNew(() =>
        {
            while (!ct.IsCancellationRequested)
            {
                SimulatedNode? node;
                lock (gate)
                {
                    if (!queue.TryDequeue(out node, out long _))
                    {
                        return;
                    }
                }

                if (_options.Speed is double speed)
                {
                    long due = (long)(node.ElapsedMs / speed);
                    long wait = due - wall.ElapsedMilliseconds;
                    if (wait > 0)
                    {
                        Thread.Sleep((int)Math.Min(wait, 1000));
                    }
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
        return Task.WhenAll(workers);
    }

    private async Task WaitForReceiver(Receiver receiver, TimeSpan timeout)
    {
        long acked = _nodes.Sum(n => n.Runtime.Publisher.Acknowledged);
        var sw = Stopwatch.StartNew();
        while (receiver.Stats.Batches + receiver.Stats.DuplicatesSuppressed < acked && sw.Elapsed < timeout)
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
            _nodes.Sum(n => n.Runtime.Publisher.Retries),
            _nodes.Count == 0 ? 0 : (int)_nodes.Average(n => n.Platform.BatteryMillivolts));
    }
}
