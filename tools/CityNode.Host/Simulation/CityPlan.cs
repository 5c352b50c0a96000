using CityNode.Config;
using CityNode.Host.Mqtt;

namespace CityNode.Host.Simulation;

/// <summary>
/// What the simulated city is made of, as data: which kind of node stands at each place, where in
/// its recordings each starts (spread evenly, so nodes do not all see the same minute), and the
/// configuration each is provisioned with. Building the nodes from it is the only code here.
/// </summary>
public sealed class CityPlan
{
    public enum NodeKind
    {
        /// <summary>BME280, SDS011, SCD41 (<see cref="NodeHardware.Air"/>).</summary>
        Air,

        /// <summary>BME280, PMS5003, SCD41: every fourth node of a mixed city, so both PM drivers run.</summary>
        AirWithPms,

        /// <summary>Five EZO circuits and a turbidity probe (<see cref="NodeHardware.Water"/>).</summary>
        Water,
    }

    private readonly SimulationOptions _options;
    private readonly CityRecordings _recordings;

    public CityPlan(SimulationOptions options, CityRecordings recordings)
    {
        _options = options;
        _recordings = recordings;
    }

    /// <summary><c>--kind air|water|mixed</c>: a mixed city alternates air and water nodes.</summary>
    public static NodeKind KindAt(string cityKind, int index) =>
        cityKind == "water" || (cityKind == "mixed" && index % 2 == 1) ? NodeKind.Water
        : cityKind == "mixed" && index % 4 == 2 ? NodeKind.AirWithPms
        : NodeKind.Air;

    /// <summary>The node at <paramref name="index"/>: its id, kind and hardware, on a clock started at its recording's row.</summary>
    public (uint Id, NodeKind Kind, SimulatedHal.VirtualClock Clock, NodeHardware Hardware) Node(int index)
    {
        uint id = (uint)(index + 1);
        var kind = KindAt(_options.Kind, index);
        var main = kind == NodeKind.Water ? _recordings.Water! : _recordings.Air!;
        int startRow = RowFor(main, index);
        long start = CitySimulation.Present(main.Times[startRow]);
        var clock = new SimulatedHal.VirtualClock(start);
        var hw = kind == NodeKind.Water
            ? NodeHardware.Water(clock, RecordingKind.Water.Around(main, startRow, start))
            : NodeHardware.Air(clock, RecordingKind.Air.Around(main, startRow, start),
                RecordingKind.Co2.Around(_recordings.Co2!, RowFor(_recordings.Co2!, index), start), usePms: kind == NodeKind.AirWithPms);
        return (id, kind, clock, hw);
    }

    /// <summary>The node's provisioned configuration (its sensors come from its hardware).</summary>
    public string Config(uint id) => $"""
        node.id = {id}
        sample = {ValueParser.FormatDuration((long)_options.Sample.TotalSeconds)}
        publish = {ValueParser.FormatDuration((long)_options.Publish.TotalSeconds)}
        batch = {_options.Batch}
        sleep = {_options.SleepMode}
        delivery.ack = {_options.Ack}
        """;

    /// <summary>Builds every node: the ESP32 program on the nanoFramework twin, or the host assembly.</summary>
    public List<ISimNode> Build(BrokerAddress address)
    {
        var nodes = new List<ISimNode>();
        for (int i = 0; i < _options.Nodes; i++)
        {
            var (id, _, clock, hw) = Node(i);
            ISimNode node = _options.Firmware == SimulationOptions.DeviceProgram
                ? new DeviceNode(id, clock, hw, address, Config(id), _options.Storage, _options.Board)
                : new SimulatedNode(id, clock, hw, address, Config(id), _options.Storage);
            node.AckLossProbability = _options.Duplicates ? 0.1 : 0;
            nodes.Add(node);
        }

        return nodes;
    }

    private int RowFor(Data.Recording r, int index) => (int)((long)index * r.Rows / Math.Max(1, _options.Nodes));
}
