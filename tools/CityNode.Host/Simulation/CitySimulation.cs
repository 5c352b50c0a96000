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
/// value. This class only runs it; the parts are, in order: <see cref="CityRecordings"/> and
/// <see cref="RecordingKind"/> (what is replayed), <see cref="CityPlan"/> (which nodes stand
/// where), <see cref="FaultSchedule"/> and <see cref="BrokerFaults"/> (what goes wrong, when),
/// <see cref="OtaRollout"/> (an update published during the run),
/// <see cref="NodeScheduler"/> (virtual time), <see cref="Verifier"/> and
/// <see cref="SimulationSummary.Reconcile"/> (what arrived against what was measured).
/// </summary>
public sealed class CitySimulation
{
    private readonly SimulationOptions _options;
    private List<ISimNode> _nodes = new();
    private int _reconfigureVersion;

    public CitySimulation(SimulationOptions options)
    {
        _options = options;
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
        var recordings = CityRecordings.Load(_options);
        long durationMs = (long)_options.Duration.TotalMilliseconds;
        _nodes = new CityPlan(_options, recordings).Build(address);
        var faults = new FaultSchedule(_options, _nodes, durationMs, embeddedBroker: broker is not null);
        var rollout = _options.OtaAt is null ? null : new OtaRollout(_options, _nodes);
        var byId = _nodes.ToDictionary(n => n.Id);
        var verifier = new Verifier(id => byId.TryGetValue(id, out var n) ? n.World : null);
        var checker = new MemorySink { Keep = false, OnStored = verifier.Check };
        using IBatchSink sink = _options.Database is null ? checker : new TeeSink(new Stores.SqliteStore(_options.Database), checker);
        // A short session: the check receiver of a run against an external broker must not leave a queue behind.
        await using var receiver = new Receiver(address, sink) { SessionExpiry = TimeSpan.FromMinutes(10) };
        await receiver.StartAsync(ct);
        var brokerFaults = new BrokerFaults(broker, receiver) { Restarted = rollout is null ? null : () => rollout.RepublishAsync(address) };

        foreach (var n in _nodes)
        {
            n.Boot();
        }

        using var reporter = progress is null ? null : new Timer(_ => progress(Snapshot(receiver, durationMs)), null, 250, 250);
        using var stopKeeping = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var keeper = _options.Broker is null ? Task.CompletedTask : brokerFaults.KeepReceiverConnectedAsync(stopKeeping.Token);
        await NodeScheduler.RunAsync(_nodes, durationMs, _options.Workers, _options.Speed,
            onTurn: node => faults.OnTurn(node, brokerFaults, canRestartBroker: broker is not null, reconfigure: () => PublishConfigurations(address).GetAwaiter().GetResult(),
                update: () =>
                {
                    brokerFaults.Current.GetAwaiter().GetResult(); // not into a broker going down: published after its restart instead
                    rollout?.PublishAsync(address).GetAwaiter().GetResult();
                }),
            beforeStep: faults.BeforeStep, ct);
        await brokerFaults.Current;
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
        await brokerFaults.WaitForReceiverAsync(_nodes.Sum(n => n.TotalAcknowledged), TimeSpan.FromSeconds(30));
        progress?.Invoke(Snapshot(receiver, durationMs));
        return SimulationSummary.Reconcile(_options, _nodes, receiver.Stats, verifier, brokerFaults, faults, _reconfigureVersion,
            Math.Round(wall.Elapsed.TotalSeconds, 2), broker is null ? address.ToString() : "embedded", recordings.All.Select(r => Path.GetFileName(r.Source)).ToList(), rollout);
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
