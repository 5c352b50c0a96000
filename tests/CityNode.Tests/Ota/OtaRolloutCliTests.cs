using System.Text.Json;
using CityNode.Host.Mqtt;
using CityNode.Host.Ota;
using CityNode.Ota;
using CityNode.Telemetry;
using CityNode.Tests.Cli;
using MQTTnet;
using MQTTnet.Protocol;
using Xunit;

namespace CityNode.Tests.Ota;

/// <summary>
/// `citynode ota` against the embedded broker and nodes running the real OTA core
/// (<see cref="RolloutFakeNode"/>): canary first, the rest only after it confirms; a canary that
/// rolls back halts the rollout before the rest get a manifest; bad input is refused before anything
/// is published.
/// </summary>
[Collection("cli")]
public sealed class OtaRolloutCliTests : IAsyncLifetime
{
    private readonly string _dir = Directory.CreateTempSubdirectory("citynode-ota-").FullName;
    private readonly List<RolloutFakeNode> _nodes = new();
    private EmbeddedBroker _broker = null!;

    private string Keys => Path.Combine(_dir, "keys");

    public async Task InitializeAsync() => _broker = await EmbeddedBroker.StartAsync();

    public async Task DisposeAsync()
    {
        foreach (var n in _nodes)
        {
            await n.DisposeAsync();
        }

        await _broker.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    /// <summary>A provisioned node: its key in the backend's folder, the same key in the node.</summary>
    private RolloutFakeNode Node(uint id, RolloutFakeNode.Script script = RolloutFakeNode.Script.Good, byte[]? nodeKey = null)
    {
        byte[] key = OtaKeyStore.NewKey();
        OtaKeyStore.Save(Keys, id, key);
        var n = new RolloutFakeNode(id, nodeKey ?? key, script);
        _nodes.Add(n);
        return n;
    }

    private string ReleaseFile(uint counter = 3)
    {
        string path = Path.Combine(_dir, $"r{counter}.release");
        File.WriteAllBytes(path, OtaRig.MakeRelease(counter, "1.3.0", 5, 9000, 4096, 300).ToFile());
        return path;
    }

    private Task<(int Exit, string Out, string Err)> Ota(params string[] more) =>
        CliRunner.Run(["ota", "--broker", _broker.Url, "--keys", Keys, "--timeout", "60s", .. more]);

    [Fact]
    public async Task The_canary_confirms_then_the_rest_get_their_manifests_and_every_node_is_updated()
    {
        var canary = Node(11);
        var rest = new[] { Node(12), Node(13) };
        foreach (var n in _nodes)
        {
            await n.ConnectAsync(_broker.Port);
        }

        var (exit, stdout, err) = await Ota("--release", ReleaseFile(), "--node", "11", "--node", "12", "--node", "13", "--json");
        Assert.True(exit == 0, err + stdout);
        using var json = JsonDocument.Parse(stdout);
        Assert.Equal(3, json.RootElement.GetProperty("updated").GetInt32());
        Assert.False(json.RootElement.GetProperty("halted").GetBoolean());
        Assert.Equal([1, 2, 2], json.RootElement.GetProperty("nodes").EnumerateArray().Select(n => n.GetProperty("wave").GetInt32()));
        Assert.All(json.RootElement.GetProperty("nodes").EnumerateArray(), n => Assert.Equal("updated", n.GetProperty("outcome").GetString()));
        foreach (var n in _nodes)
        {
            Assert.Equal(OtaState.Confirmed, n.Status.State);
            Assert.Equal(3u, n.Status.RunningCounter);
        }

        // The rest's manifests went out only after the canary confirmed.
        int confirmedAt = err.IndexOf("node 11: confirmed", StringComparison.Ordinal);
        int secondWave = err.IndexOf("wave 2", StringComparison.Ordinal);
        Assert.True(confirmedAt >= 0 && secondWave > confirmedAt, err);
    }

    [Fact]
    public async Task A_canary_that_rolls_back_halts_the_rollout_and_the_rest_never_get_a_manifest()
    {
        var canary = Node(21, RolloutFakeNode.Script.CrashesInTrial);
        var rest = new[] { Node(22), Node(23) };
        foreach (var n in _nodes)
        {
            await n.ConnectAsync(_broker.Port);
        }

        var (exit, stdout, _) = await Ota("--release", ReleaseFile(), "--node", "21", "--node", "22", "--node", "23");
        Assert.Equal(2, exit);
        Assert.Contains("node 21: FAILED: rolled back: TrialNotConfirmed", stdout);
        Assert.Contains("HALTED: 1 node failed, more than --max-failures 0", stdout);
        Assert.Contains("node 22: not_started", stdout);
        Assert.Equal(OtaState.RolledBack, canary.Status.State);
        Assert.Equal(0u, canary.Status.RunningCounter);
        Assert.All(rest, n => Assert.Equal(0, n.ManifestsReceived));
        Assert.Null(await RetainedAsync(Topics.Ota(22)));
        Assert.NotNull(await RetainedAsync(Topics.Ota(21)));
    }

    [Fact]
    public async Task Within_max_failures_a_refused_canary_does_not_stop_the_rest_but_the_exit_says_not_all()
    {
        // The node holds another key than the backend's: it refuses the manifest (BadSignature).
        Node(31, nodeKey: OtaKeyStore.NewKey());
        Node(32);
        foreach (var n in _nodes)
        {
            await n.ConnectAsync(_broker.Port);
        }

        var (exit, stdout, err) = await Ota("--release", ReleaseFile(), "--node", "31", "--node", "32", "--max-failures", "1", "--json");
        Assert.Equal(2, exit);
        Assert.Contains("node 31: FAILED: refused the manifest: BadSignature", err);
        using var json = JsonDocument.Parse(stdout);
        Assert.Equal(1, json.RootElement.GetProperty("updated").GetInt32());
        Assert.Equal(1, json.RootElement.GetProperty("failed").GetInt32());
        Assert.Equal(OtaState.Confirmed, _nodes[1].Status.State);
    }

    [Fact]
    public async Task On_a_halt_a_manifest_out_to_a_node_that_has_not_answered_is_withdrawn()
    {
        Node(41, RolloutFakeNode.Script.CrashesInTrial);
        var asleep = Node(42);
        await _nodes[0].ConnectAsync(_broker.Port);

        var (exit, stdout, _) = await Ota("--release", ReleaseFile(), "--node", "41", "--node", "42", "--canary", "2");
        Assert.Equal(2, exit);
        Assert.Contains("node 42: manifest withdrawn", stdout);
        Assert.Contains("node 42: withdrawn", stdout);

        // It wakes after the halt: no manifest waits for it.
        await asleep.ConnectAsync(_broker.Port);
        await Task.Delay(300);
        Assert.Equal(0, asleep.ManifestsReceived);
        Assert.Equal(OtaState.Idle, asleep.Status.State);
    }

    [Fact]
    public async Task A_rolled_back_report_retained_from_an_earlier_rollout_is_not_this_releases_failure()
    {
        var n = Node(81);
        await n.ConnectAsync(_broker.Port);
        await PublishStaleRollback(81);

        var (exit, stdout, err) = await Ota("--release", ReleaseFile(), "--node", "81");
        Assert.True(exit == 0, err + stdout);
        Assert.Equal(OtaState.Confirmed, n.Status.State);
    }

    [Fact]
    public async Task A_node_silent_past_the_timeout_is_a_failure()
    {
        Node(51);
        var (exit, stdout, _) = await CliRunner.Run("ota", "--broker", _broker.Url, "--keys", Keys, "--timeout", "1s", "--release", ReleaseFile(), "--node", "51");
        Assert.Equal(2, exit);
        Assert.Contains("node 51: timed_out: no verdict within 1s (last report: none since its manifest went out)", stdout);
    }

    [Fact]
    public async Task Bad_input_is_refused_with_the_reason_and_nothing_is_published()
    {
        Node(61);
        string damaged = ReleaseFile();
        byte[] bytes = File.ReadAllBytes(damaged);
        bytes[^10] ^= 0x55;
        File.WriteAllBytes(damaged, bytes);
        var (e1, o1, err1) = await Ota("--release", damaged, "--node", "61");
        Assert.Equal(1, e1);
        Assert.Contains("does not match its SHA-256; the release file is damaged", err1);
        Assert.Empty(o1);
        Assert.DoesNotContain("   at ", err1);

        var (e2, _, err2) = await Ota("--release", Path.Combine(_dir, "missing.release"), "--node", "61");
        Assert.Equal(1, e2);
        Assert.Contains("missing.release: cannot read it", err2);

        var (e3, _, err3) = await Ota("--release", ReleaseFile(), "--node", "62");
        Assert.Equal(1, e3);
        Assert.Contains("no OTA key for node 62", err3);

        var (e4, _, err4) = await Ota("--release", ReleaseFile());
        Assert.Equal(1, e4);
        Assert.Contains("--node ID (repeatable) or --group G", err4);

        var (e5, _, err5) = await Ota("--release", ReleaseFile(), "--node", "61", "--node", "61");
        Assert.Equal(1, e5);
        Assert.Contains("--node 61: given twice", err5);

        Assert.Null(await RetainedAsync(Topics.Ota(61)));
        Assert.Null(await RetainedAsync(Topics.OtaChunk(3, 0)));
    }

    [Fact]
    public async Task A_group_is_the_registrys_node_group_lines()
    {
        Node(71);
        Node(72);
        Node(73);
        foreach (var n in _nodes)
        {
            await n.ConnectAsync(_broker.Port);
        }

        string registry = Path.Combine(_dir, "nodes.conf");
        File.WriteAllText(registry, "node.71.group = river\nnode.72.group = park\nnode.73.group = river\n");
        var (exit, stdout, err) = await Ota("--release", ReleaseFile(), "--group", "river", "--registry", registry);
        Assert.True(exit == 0, err + stdout);
        Assert.Contains("2 of 2 nodes on 1.3.0", stdout);
        Assert.Equal(OtaState.Confirmed, _nodes[0].Status.State);
        Assert.Equal(OtaState.Idle, _nodes[1].Status.State);
        Assert.Equal(0, _nodes[1].ManifestsReceived);
        Assert.Equal(OtaState.Confirmed, _nodes[2].Status.State);

        var (e2, _, err2) = await Ota("--release", ReleaseFile(), "--group", "lake", "--registry", registry);
        Assert.Equal(1, e2);
        Assert.Contains("--group lake: no node", err2);
    }

    [Fact]
    public async Task A_broker_restart_while_manifests_are_out_is_survived_by_reconnecting_and_publishing_again()
    {
        // Both asleep while the rollout publishes: they wake only after the broker restarted (without
        // persistence, as mosquitto's default), which forgot the chunks, the manifests and the rollout's subscriptions.
        Node(91);
        Node(92);
        string file = ReleaseFile();
        using var manifestsOut = await WhenRetainedAsync(Topics.AllNodes(Topics.OtaLeaf), 2);
        var run = CliRunner.Run("ota", "--broker", _broker.Url, "--keys", Keys, "--timeout", "20s", "--release", file, "--node", "91", "--node", "92", "--canary", "2");
        await manifestsOut.Arrived.WaitAsync(TimeSpan.FromSeconds(15));
        await _broker.RestartAsync();
        foreach (var n in _nodes)
        {
            await n.ConnectAsync(_broker.Port);
        }

        var (exit, stdout, err) = await run;
        Assert.True(exit == 0, err + stdout);
        Assert.Contains("broker connection lost (", stdout);
        Assert.Contains($"reconnected, subscribed again to 2 state topics, republished {Release.Read(file).ChunkCount} chunks and 2 manifests", stdout);
        Assert.Contains("2 of 2 nodes on 1.3.0", stdout);
        Assert.All(_nodes, n => Assert.Equal((OtaState.Confirmed, 3u), (n.Status.State, n.Status.RunningCounter)));
    }

    [Fact]
    public async Task A_stale_report_the_broker_hands_over_at_the_subscription_after_a_reconnect_is_no_verdict()
    {
        var node = Node(93);
        var release = OtaRig.MakeRelease(3);
        var options = MqttClientSetup.Loopback(_broker.Port, "backend-93").Build();
        using var client = new MqttClientFactory().CreateMqttClient();
        await client.ConnectAsync(options);
        var staleRetained = new TaskCompletionSource();
        var reconnected = new TaskCompletionSource();
        var log = new List<string>();
        var rollout = new Rollout(client, release, new Dictionary<uint, byte[]> { [93] = node.Key }, line =>
        {
            lock (log)
            {
                log.Add(line);
            }

            if (line.StartsWith("reconnected", StringComparison.Ordinal))
            {
                reconnected.TrySetResult();
            }
        }, async c =>
        {
            await staleRetained.Task.WaitAsync(c); // the broker back, holding the node's report from an earlier rollout
            await client.ConnectAsync(options, c);
        });
        using var manifestOut = await WhenRetainedAsync(Topics.Ota(93), 1);
        var run = rollout.RunAsync([93], 1, 0, TimeSpan.FromSeconds(20), CancellationToken.None);
        await manifestOut.Arrived.WaitAsync(TimeSpan.FromSeconds(15));
        await _broker.RestartAsync();
        await PublishStaleRollback(93);
        staleRetained.SetResult();
        await reconnected.Task.WaitAsync(TimeSpan.FromSeconds(15));
        await node.ConnectAsync(_broker.Port);

        var result = await run;
        Assert.True(result.AllUpdated, string.Join("\n", log));
        Assert.DoesNotContain(log, l => l.Contains("FAILED", StringComparison.Ordinal));
        Assert.Equal(OtaState.Confirmed, node.Status.State);
    }

    /// <summary>A rolled-back report retained on the node's state topic, as an earlier rollout left it.</summary>
    private async Task PublishStaleRollback(uint node)
    {
        using var earlier = new MqttClientFactory().CreateMqttClient();
        await earlier.ConnectAsync(MqttClientSetup.Loopback(_broker.Port, "earlier").Build());
        await earlier.PublishAsync(new MqttApplicationMessageBuilder().WithTopic(Topics.OtaState(node))
            .WithPayload("version=1.0.0\ncounter=0\nslot=0\nstate=rolledback\nreceived=0\ntotal=0\nfailure=TrialNotConfirmed\ndetail=3\n")
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).WithRetainFlag().Build());
        await earlier.DisconnectAsync();
    }

    /// <summary>A watcher that completes <see cref="Watch.Arrived"/> once <paramref name="count"/> non-empty messages came on <paramref name="filter"/>.</summary>
    private async Task<Watch> WhenRetainedAsync(string filter, int count)
    {
        var w = new Watch(new MqttClientFactory().CreateMqttClient());
        int seen = 0;
        w.Client.ApplicationMessageReceivedAsync += e =>
        {
            if (e.ApplicationMessage.Payload.Length > 0 && Interlocked.Increment(ref seen) >= count)
            {
                w.Done.TrySetResult();
            }

            return Task.CompletedTask;
        };
        await w.Client.ConnectAsync(MqttClientSetup.Loopback(_broker.Port, "watch-" + Guid.NewGuid().ToString("N")[..6]).Build());
        await w.Client.SubscribeAsync(filter, MqttQualityOfServiceLevel.AtLeastOnce);
        return w;
    }

    private sealed record Watch(IMqttClient Client) : IDisposable
    {
        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Arrived => Done.Task;

        public void Dispose() => Client.Dispose();
    }

    /// <summary>The retained message of a topic, or null (none, or an empty one).</summary>
    private async Task<byte[]?> RetainedAsync(string topic)
    {
        using var c = new MqttClientFactory().CreateMqttClient();
        byte[]? got = null;
        c.ApplicationMessageReceivedAsync += e =>
        {
            got = System.Buffers.BuffersExtensions.ToArray(e.ApplicationMessage.Payload);
            return Task.CompletedTask;
        };
        await c.ConnectAsync(MqttClientSetup.Loopback(_broker.Port, "probe-" + Guid.NewGuid().ToString("N")[..6]).Build());
        await c.SubscribeAsync(topic, MqttQualityOfServiceLevel.AtLeastOnce);
        await Task.Delay(300);
        await c.DisconnectAsync();
        return got is { Length: > 0 } ? got : null;
    }
}
