using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using CityNode.Config;
using CityNode.Host.Mqtt;
using CityNode.Host.Ota;
using CityNode.Host.Provisioning;
using CityNode.Ota;
using MQTTnet;

namespace CityNode.Cli.Commands;

/// <summary>
/// <c>citynode ota</c>: rolls a release out to nodes over MQTT, canary first, halting on failures
/// (docs/ota.md, "Rollout"; the logic is <see cref="Rollout"/>). Exit codes: 0 every node confirmed
/// the release; 1 the user's to fix (release, keys, nodes, broker: nothing published; or a publish
/// the broker refused, named with the ACL line it needs);
/// 2 the rollout ran but did not update every node (halted, failed or no answer in time), the last
/// lines say which node and why.
/// </summary>
internal static class OtaCommand
{
    /// <summary>The rollout ran and some node is not on the release.</summary>
    public const int NotAllUpdated = 2;

    public static Command Create()
    {
        var broker = new Option<string>("--broker") { Description = $"broker URL with the backend account: mqtts://{NodeProvisioning.BackendUser}@host:8883 (password: --password-file)", Required = true };
        var release = new Option<string>("--release") { Description = "the release file (citynode release --out)", Required = true };
        var nodes = new Option<string[]>("--node") { Description = "a node id to update (repeatable; the first --canary of them are the canary wave)", AllowMultipleArgumentsPerToken = true };
        var group = new Option<string?>("--group") { Description = "update every node of this group: the registry's node.ID.group lines (--registry)" };
        var registry = new Option<string>("--registry") { Description = "the node registry file (for --group)", DefaultValueFactory = _ => NodeRegistry.DefaultFileName };
        var canary = Options.Count("--canary", "nodes in the first wave; the rest get the release only once every canary confirmed it (or the failures stay within --max-failures)", 1, 1);
        var maxFailures = Options.Count("--max-failures", "failures (rolled back, refused, no answer) tolerated before the rollout halts", 0, 0);
        var keys = new Option<string>("--keys") { Description = "the folder of the nodes' OTA keys (ID.key) that provision --ota-keys writes", DefaultValueFactory = _ => OtaKeyStore.DefaultFolder };
        var timeout = Options.Duration("--timeout", "how long each wave may take (a node downloads in its publish windows)", TimeSpan.FromHours(24));
        var ca = new Option<string?>("--ca") { Description = "CA certificate (PEM) of an mqtts:// broker" };
        var passwordFile = Stores.BrokerPasswordFile();
        var json = Options.Json();
        var command = new Command("ota", "Roll a release out to nodes over MQTT: chunks once, a signed manifest per node, canary wave first, halt on failures")
        {
            broker, release, nodes, group, registry, canary, maxFailures, keys, timeout, ca, passwordFile, json,
        };
        command.SetAction(async (parse, ct) =>
        {
            bool asJson = parse.GetValue(json);
            Release r;
            List<uint> targets;
            var nodeKeys = new Dictionary<uint, byte[]>();
            BrokerAddress address;
            MqttClientTlsOptions? tls;
            try
            {
                targets = Targets(parse.GetValue(nodes) ?? [], parse.GetValue(group), parse.GetValue(registry)!);
                r = Release.Read(parse.GetValue(release)!);
                string folder = parse.GetValue(keys)!;
                foreach (uint id in targets)
                {
                    nodeKeys[id] = OtaKeyStore.TryLoad(folder, id)
                        ?? throw new FormatException($"--keys {folder}: no OTA key for node {id} ({OtaKeyStore.PathOf(folder, id)}); provision the node with --out (it writes the key there), or give the folder holding it");
                }

                address = BrokerCredentials.Resolve(BrokerAddress.Parse(parse.GetValue(broker)!), parse.GetValue(passwordFile));
                tls = MqttTls.For(address, parse.GetValue(ca));
            }
            catch (Exception e) when (e is FormatException or ReleaseException)
            {
                await Console.Error.WriteLineAsync("ota: " + e.Message);
                return 1;
            }

            TextWriter log = asJson ? Console.Error : Console.Out;
            log.WriteLine($"release {OtaVersion.Format(r.Version)} counter {r.Counter}: {r.Files.Count} files, {r.TotalBytes:N0} B, {r.ChunkCount} chunks → {targets.Count} node{(targets.Count == 1 ? "" : "s")} via {address}");
            using var client = new MqttClientFactory().CreateMqttClient();
            var options = MqttClientSetup.Options(address, "citynode-ota-" + Guid.NewGuid().ToString("N")[..8], tls).Build();
            RolloutResult result;
            try
            {
                await BrokerConnection.ConnectAsync(client, options, address, ct);
                // The same connect again if the broker goes away during the rollout (a restart: Rollout republishes).
                result = await new Rollout(client, r, nodeKeys, log.WriteLine, c => BrokerConnection.ConnectAsync(client, options, address, c))
                    .RunAsync(targets, parse.GetValue(canary), parse.GetValue(maxFailures), parse.GetValue(timeout), ct);
            }
            catch (BrokerException e)
            {
                await Console.Error.WriteLineAsync("ota: " + e.Message);
                return 1;
            }

            foreach (var n in result.Nodes.Where(n => n.Outcome != RolloutOutcome.Updated))
            {
                log.WriteLine($"node {n.Node}: {Name(n.Outcome)}{(n.Reason is null ? "" : ": " + n.Reason)}");
            }

            log.WriteLine(result.Halted
                ? $"HALTED: {result.HaltReason}; {result.Updated} of {result.Nodes.Count} updated"
                : $"{result.Updated} of {result.Nodes.Count} nodes on {OtaVersion.Format(r.Version)} (counter {r.Counter})" + (result.AllUpdated ? "" : $", {result.Failed} failed"));
            if (asJson)
            {
                Console.WriteLine(JsonSerializer.Serialize(new
                {
                    version = OtaVersion.Format(r.Version),
                    counter = r.Counter,
                    chunks = r.ChunkCount,
                    bytes = r.TotalBytes,
                    updated = result.Updated,
                    failed = result.Failed,
                    halted = result.Halted,
                    halt_reason = result.HaltReason,
                    nodes = result.Nodes.Select(n => new
                    {
                        node = n.Node,
                        wave = n.Wave,
                        outcome = Name(n.Outcome),
                        reason = n.Reason,
                        state = n.Last?.State,
                        running_counter = n.Last?.Counter,
                        failure = n.Last?.Failure,
                        detail = n.Last?.Detail,
                    }),
                }, new JsonSerializerOptions { WriteIndented = true }));
            }

            return result.AllUpdated ? 0 : NotAllUpdated;
        });
        return command;
    }

    /// <summary>The outcome's name in the output and the JSON (<c>updated</c>, <c>failed</c>, <c>timed_out</c>, <c>not_started</c>, <c>withdrawn</c>).</summary>
    public static string Name(RolloutOutcome o) => o switch
    {
        RolloutOutcome.TimedOut => "timed_out",
        RolloutOutcome.NotStarted => "not_started",
        _ => o.ToString().ToLowerInvariant(),
    };

    /// <summary>The nodes: --node ids (in order, each once) or the registry's members of --group; exactly one of the two.</summary>
    private static List<uint> Targets(string[] ids, string? group, string registryPath)
    {
        if ((ids.Length > 0) == (group is not null))
        {
            throw new FormatException("give the nodes with --node ID (repeatable) or --group G, one of the two");
        }

        if (group is not null)
        {
            var members = NodeRegistry.Load(registryPath).Group(group);
            if (members.Count == 0)
            {
                throw new FormatException($"--group {group}: no node of {registryPath} is in it (a line node.ID.group = {group} puts node ID in it)");
            }

            return members.ToList();
        }

        var list = new List<uint>();
        foreach (string text in ids)
        {
            if (ConfigKeyTable.ParseNodeId(text) is not uint id)
            {
                throw new FormatException($"--node '{text}': a node id is a whole number from {ConfigKeyTable.NodeIdRange}");
            }

            if (list.Contains(id))
            {
                throw new FormatException($"--node {id}: given twice; give each node once");
            }

            list.Add(id);
        }

        return list;
    }
}
