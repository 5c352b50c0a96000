namespace CityNode.Host.Simulation;

/// <summary>
/// When each fault of a run happens, drawn once from the seed before the run: the city-wide
/// outage, each node's chaos plan (<c>--chaos</c>), power cuts (node, virtual time), broker
/// restarts and crashes (each crash preceded by <see cref="BrokerFaults.CrashLagMs"/> of a lagging
/// receiver), and the moments the new configuration and the update (--ota) are published. The scheduler asks it, at each
/// node's turn, what is due; nodes take turns in virtual-time order, so a time reached by one node
/// has been reached by all.
/// </summary>
public sealed class FaultSchedule
{
    private readonly Dictionary<ISimNode, ChaosPlan> _chaos = new();
    private readonly Dictionary<ISimNode, Queue<long>> _cuts;
    private readonly Random _cutRandom;
    private readonly Queue<long> _restarts;
    private readonly Queue<long> _crashes;
    private readonly Queue<long> _lagging;
    private long _reconfigureAt;
    private long _otaAt;

    public FaultSchedule(SimulationOptions options, IReadOnlyList<ISimNode> nodes, long durationMs, bool embeddedBroker)
    {
        long outageStart = durationMs / 4;
        long outageEnd = outageStart + (long)options.Outage.TotalMilliseconds;
        foreach (var node in nodes)
        {
            if (options.Chaos)
            {
                var plan = new ChaosPlan(node.Id, options.Seed, durationMs);
                _chaos[node] = plan;
                node.NetworkUp = () => plan.NetworkUp(node.ElapsedMs) && (options.Outage <= TimeSpan.Zero || node.ElapsedMs < outageStart || node.ElapsedMs >= outageEnd);
            }
            else if (options.Outage > TimeSpan.Zero)
            {
                node.NetworkUp = () => node.ElapsedMs < outageStart || node.ElapsedMs >= outageEnd;
            }
        }

        double days = durationMs / 86_400_000.0;
        int powerCuts = options.Chaos ? Math.Max(options.PowerCuts, (int)Math.Ceiling(nodes.Count * days)) : options.PowerCuts;
        int brokerRestarts = options.Chaos && embeddedBroker ? Math.Max(options.BrokerRestarts, (int)Math.Ceiling(days)) : options.BrokerRestarts;
        var random = new Random(options.Seed);
        _cuts = Enumerable.Range(0, powerCuts)
            .Select(_ => (Node: nodes[random.Next(nodes.Count)], At: (long)(random.NextDouble() * durationMs)))
            .GroupBy(c => c.Node).ToDictionary(g => g.Key, g => new Queue<long>(g.Select(c => c.At).OrderBy(t => t)));
        _cutRandom = new Random(options.Seed + 1);
        _reconfigureAt = options.ReconfigureAt is TimeSpan r ? (long)r.TotalMilliseconds : long.MaxValue;
        _otaAt = options.OtaAt is TimeSpan o ? (long)o.TotalMilliseconds : long.MaxValue;
        _restarts = new Queue<long>(Enumerable.Range(1, brokerRestarts).Select(k => durationMs * k / (brokerRestarts + 1)));
        int brokerCrashes = embeddedBroker ? options.BrokerCrashes : 0;
        _crashes = new Queue<long>(Enumerable.Range(1, brokerCrashes).Select(k => (durationMs * k / (brokerCrashes + 1)) + (durationMs / (4 * (brokerCrashes + 1)))));
        _lagging = new Queue<long>(_crashes.Select(t => t - BrokerFaults.CrashLagMs));
    }

    public int Outages => _chaos.Values.Sum(p => p.Outages);

    public int SensorFaultWindows => _chaos.Values.Sum(p => p.SensorFaults);

    /// <summary>
    /// Called under the scheduler's lock when <paramref name="node"/> is next to step: starts the
    /// broker faults due (one at a time; not against an external broker, which the simulation
    /// cannot restart), publishes the new configuration once, publishes the update once (--ota), arms a due power cut.
    /// </summary>
    public void OnTurn(ISimNode node, BrokerFaults faults, bool canRestartBroker, Action reconfigure, Action? update = null)
    {
        long now = node.ElapsedMs;
        if (faults.HoldsCityAt(now))
        {
            // The node furthest behind is past the outage's bound, so every node is: all wait here.
            faults.Current.GetAwaiter().GetResult();
        }

        if (_restarts.Count > 0 && now >= _restarts.Peek() && faults.Idle && canRestartBroker)
        {
            _restarts.Dequeue();
            faults.Restart(now);
        }

        if (_lagging.Count > 0 && now >= _lagging.Peek() && faults.Idle)
        {
            _lagging.Dequeue();
            faults.LagReceiver();
        }

        if (_crashes.Count > 0 && _lagging.Count < _crashes.Count && now >= _crashes.Peek() && faults.Idle && canRestartBroker)
        {
            _crashes.Dequeue();
            faults.Crash(now);
        }

        if (now >= _reconfigureAt)
        {
            reconfigure();
            _reconfigureAt = long.MaxValue;
        }

        if (now >= _otaAt)
        {
            update?.Invoke();
            _otaAt = long.MaxValue;
        }

        if (_cuts.TryGetValue(node, out var due) && due.Count > 0 && now >= due.Peek())
        {
            due.Dequeue();
            node.ArmPowerCut(_cutRandom);
        }
    }

    /// <summary>Sets the node's chips to the sensor faults of its chaos plan at this moment (outside the lock).</summary>
    public void BeforeStep(ISimNode node)
    {
        if (_chaos.TryGetValue(node, out var plan))
        {
            plan.Apply(node.Hardware, node.ElapsedMs);
        }
    }
}
