using System.Security.Cryptography;
using CityNode.Host.Mqtt;
using CityNode.Host.Ota;
using CityNode.Host.Provisioning;
using CityNode.Loader;
using CityNode.NanoTwin.Clr;
using CityNode.Node;
using CityNode.Ota;
using CityNode.Telemetry;
using MQTTnet;

namespace CityNode.Host.Simulation;

/// <summary>
/// <c>simulate --ota AFTER [--ota-release R] [--ota-bad crash|silent]</c>: every node is provisioned
/// with its own OTA key (the file <see cref="NodeFiles.OtaKey"/> on its drive, as <c>citynode provision</c>
/// writes it); at AFTER the backend publishes each node's manifest, signed with that node's key, and
/// the release's chunks, all retained, as <c>citynode ota</c> does. Without a release named, the
/// simulation packs one of the next version itself: the application's one file (CityNode.Esp32.pe), here
/// a descriptor the nanoFramework twin's Assembly.Load maps to the host build of the application, which
/// the node's loader then starts as that version (with the defect asked for).
/// </summary>
public sealed class OtaRollout
{
    /// <summary>The version a simulation's own release carries (the nodes start on the cable image, version 0).</summary>
    public const string NextVersion = "1.1.0";

    /// <summary>The anti-rollback counter of the simulation's own release.</summary>
    public const uint NextCounter = 1;

    private readonly Dictionary<uint, byte[]> _keys = new();

    public OtaRollout(SimulationOptions options, IReadOnlyList<ISimNode> nodes)
    {
        if (options.OtaRelease is not null && options.OtaBad is not null)
        {
            throw new FormatException("--ota-bad makes the simulation's own release bad; a release given with --ota-release is taken as it is (leave out one of them)");
        }

        if (options.OtaBad is not null and not TwinApplication.Crash and not TwinApplication.Silent)
        {
            throw new FormatException($"--ota-bad {options.OtaBad}: give crash (the new version throws as it starts) or silent (it never publishes)");
        }

        Release = options.OtaRelease is { } path ? ReadRelease(path) : Release.Create(
            [new ReleaseFile(NodeProvisioning.ApplicationFile, TwinApplication.Descriptor(AppLoader.ApplicationAssembly, NextVersion, options.OtaBad, DeviceNode.ApplicationPeBytes))],
            Release.ParseVersion(NextVersion, "version"), NextCounter, AppLoader.Version);
        AtMs = (long)options.OtaAt!.Value.TotalMilliseconds;
        foreach (var node in nodes)
        {
            if (node is not DeviceNode device)
            {
                throw new FormatException("--ota needs the nodes to run the ESP32 program (its loader and update regions); the host assembly has none");
            }

            if (!device.UsesLoader)
            {
                throw new FormatException($"--ota: board {options.Board} does not take updates: it runs the application image (updates need PSRAM, board.psram_mb, and 8 MB of flash; docs/ota.md, two ways to deploy); simulate a board that does, e.g. --board reference");
            }

            // Deterministic per seed and node, so a run can be repeated.
            byte[] key = SHA256.HashData(BitConverter.GetBytes(((long)options.Seed << 32) | node.Id));
            _keys[node.Id] = key;
            device.Board.Drive.Deploy("I:\\" + NodeFiles.OtaKey, System.Text.Encoding.ASCII.GetBytes(Convert.ToHexString(key)));
        }
    }

    public Release Release { get; }

    /// <summary>Virtual milliseconds into the run at which the release is published.</summary>
    public long AtMs { get; }

    public string Version => OtaVersion.Format(Release.Version);

    /// <summary>True once the release went out (at <see cref="AtMs"/>): from then on the broker must hold it.</summary>
    public bool Published { get; private set; }

    /// <summary>Publishes every chunk and each node's manifest (targeted at the node, signed with its key), retained.</summary>
    public async Task PublishAsync(BrokerAddress address)
    {
        Published = true;
        using var client = new MqttClientFactory().CreateMqttClient();
        await client.ConnectAsync(MqttClientSetup.Options(address, "citynode-backend-sim-ota").Build());
        await Rollout.PublishReleaseAsync(client, Release, _keys.Select(k => (k.Key, k.Value)));
        await client.DisconnectAsync();
    }

    /// <summary>
    /// After a broker restart or crash: the embedded broker keeps no retained message (persistence off),
    /// so a release already out is published again, as <c>citynode ota</c> does when its connection
    /// drops (<see cref="Rollout"/>); nodes that hold it already ignore the manifest as a redelivery.
    /// </summary>
    public Task RepublishAsync(BrokerAddress address) => Published ? PublishAsync(address) : Task.CompletedTask;

    /// <summary>Where each node ended: on the release and confirmed, back on the version it ran before, or neither.</summary>
    public (int Updated, int RolledBack, string? Reason) Outcome(IReadOnlyList<ISimNode> nodes)
    {
        var records = nodes.OfType<DeviceNode>().Select(n => n.OtaRecord).ToList();
        int updated = records.Count(r => r is { State: OtaState.Confirmed } && r.Counter == Release.Counter);
        var back = records.Where(r => r is { State: OtaState.RolledBack } && r.Counter == 0).ToList();
        string? reason = back.GroupBy(r => r!.Failure).OrderByDescending(g => g.Count()).Select(g => g.Key.ToString()).FirstOrDefault();
        return (updated, back.Count, reason);
    }

    private static Release ReadRelease(string path)
    {
        try
        {
            return Release.Read(path);
        }
        catch (ReleaseException e)
        {
            throw new FormatException("--ota-release: " + e.Message);
        }
    }
}
