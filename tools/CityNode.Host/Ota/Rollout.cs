using System.Text;
using System.Threading.Channels;
using CityNode.Ota;
using CityNode.Telemetry;
using MQTTnet;
using MQTTnet.Protocol;

namespace CityNode.Host.Ota;

/// <summary>What became of one node in a rollout.</summary>
public enum RolloutOutcome
{
    /// <summary>Its manifest is out; no verdict yet.</summary>
    Pending,
    /// <summary>It reported <c>state=confirmed</c> with the release's counter.</summary>
    Updated,
    /// <summary>It rolled back or refused the manifest.</summary>
    Failed,
    /// <summary>No verdict within --timeout (counted as a failure: a silent node cannot be told from a broken one).</summary>
    TimedOut,
    /// <summary>The rollout halted before its wave: it never got a manifest.</summary>
    NotStarted,
    /// <summary>The rollout halted while its manifest was out and it had not reported starting: the manifest was withdrawn.</summary>
    Withdrawn,
}

/// <summary>One node's line of the rollout's summary.</summary>
public sealed class RolloutNode(uint node, int wave)
{
    public uint Node { get; } = node;

    /// <summary>1 the canary wave, 2 the rest.</summary>
    public int Wave { get; } = wave;

    public RolloutOutcome Outcome { get; set; } = RolloutOutcome.NotStarted;

    /// <summary>The last report the node published (null: none seen).</summary>
    public OtaStateReport? Last { get; set; }

    /// <summary>The node reported something after its manifest went out (it took the manifest, or answered it).</summary>
    public bool Answered { get; set; }

    /// <summary>Why it failed (rolled back, refused, no answer).</summary>
    public string? Reason { get; set; }
}

/// <summary>The rollout's end: every node's outcome, and whether (and why) it halted.</summary>
public sealed record RolloutResult(IReadOnlyList<RolloutNode> Nodes, bool Halted, string? HaltReason)
{
    public int Updated => Nodes.Count(n => n.Outcome == RolloutOutcome.Updated);

    public int Failed => Nodes.Count(n => n.Outcome is RolloutOutcome.Failed or RolloutOutcome.TimedOut);

    public bool AllUpdated => Nodes.All(n => n.Outcome == RolloutOutcome.Updated);
}

/// <summary>
/// <c>citynode ota</c>'s rollout (docs/ota.md, "Rollout"): the release's chunks are published once,
/// retained, for the whole fleet; each node gets its own manifest, retained and signed with its key,
/// first the canary wave, then — only if the failures so far are at most <c>maxFailures</c> — all the
/// others. A node's verdict comes from its retained state topic: confirmed with the release's counter,
/// or rolled back / manifest refused. When the failures exceed <c>maxFailures</c> the rollout halts:
/// later waves get no manifest, and a manifest still out to a node that has not answered it is
/// withdrawn (an empty retained message), so a node asleep through the halt never takes the release.
/// A node already downloading keeps going: its own trial and rollback protect it.
/// </summary>
public sealed class Rollout
{
    private readonly IMqttClient _client;
    private readonly Release _release;
    private readonly IReadOnlyDictionary<uint, byte[]> _keys;
    private readonly Action<string> _progress;
    private readonly Channel<(uint Node, OtaStateReport Report, bool Retained)> _reports = Channel.CreateUnbounded<(uint, OtaStateReport, bool)>();

    /// <param name="client">Connected, with an account that may write <c>citynode/+/ota</c> and <c>citynode/ota/#</c> and read <c>citynode/+/ota/state</c> (provision's backend ACL).</param>
    /// <param name="keys">Each node's OTA key (<see cref="OtaKeyStore"/>).</param>
    public Rollout(IMqttClient client, Release release, IReadOnlyDictionary<uint, byte[]> keys, Action<string> progress)
    {
        _client = client;
        _release = release;
        _keys = keys;
        _progress = progress;
    }

    /// <summary>Rolls the release out to <paramref name="nodes"/> (the first <paramref name="canary"/> are the canary wave).</summary>
    /// <param name="timeout">How long each wave may take to give every verdict.</param>
    public async Task<RolloutResult> RunAsync(IReadOnlyList<uint> nodes, int canary, int maxFailures, TimeSpan timeout, CancellationToken ct)
    {
        int firstWave = Math.Clamp(canary, 1, nodes.Count);
        var all = nodes.Select((n, i) => new RolloutNode(n, i < firstWave ? 1 : 2)).ToList();
        var byId = all.ToDictionary(n => n.Node);
        var byStateTopic = all.ToDictionary(n => Topics.OtaState(n.Node), n => n.Node);
        _client.ApplicationMessageReceivedAsync += e =>
        {
            if (byStateTopic.TryGetValue(e.ApplicationMessage.Topic, out uint node)
                && OtaStateReport.Parse(Encoding.ASCII.GetString(e.ApplicationMessage.Payload)) is { } report)
            {
                _reports.Writer.TryWrite((node, report, e.ApplicationMessage.Retain));
            }

            return Task.CompletedTask;
        };

        // Subscribe before anything is published, so no answer slips past; the retained report each
        // node holds from before arrives first, flagged retained (MQTT 5 §3.3.1.3).
        var subscribe = new MqttClientSubscribeOptionsBuilder();
        foreach (var n in all)
        {
            subscribe.WithTopicFilter(f => f.WithTopic(Topics.OtaState(n.Node)).WithAtLeastOnceQoS());
        }

        await _client.SubscribeAsync(subscribe.Build(), ct);

        await PublishChunksAsync(_client, _release, ct);

        _progress($"chunks: {_release.ChunkCount} × {Release.ChunkSize} B ({_release.TotalBytes:N0} B) published retained on {Topics.OtaChunk(_release.Counter, 0)}…{_release.ChunkCount - 1}");

        for (int wave = 1; wave <= 2; wave++)
        {
            var members = all.Where(n => n.Wave == wave).ToList();
            if (members.Count == 0)
            {
                continue;
            }

            _progress($"wave {wave} ({(wave == 1 ? "canary" : "the rest")}): {members.Count} node{(members.Count == 1 ? "" : "s")}, {string.Join(", ", members.Select(m => m.Node))}");
            foreach (var n in members)
            {
                await PublishManifestAsync(_client, _release, n.Node, _keys[n.Node], ct);
                n.Outcome = RolloutOutcome.Pending;
            }

            string? halt = await WatchAsync(all, byId, members, maxFailures, timeout, ct);
            if (halt is not null)
            {
                foreach (var n in all.Where(n => n.Outcome == RolloutOutcome.Pending && !n.Answered))
                {
                    await PublishRetainedAsync(_client, Topics.Ota(n.Node), [], ct);
                    n.Outcome = RolloutOutcome.Withdrawn;
                    _progress($"node {n.Node}: manifest withdrawn (it had not started)");
                }

                return new RolloutResult(all, true, halt);
            }
        }

        return new RolloutResult(all, false, null);
    }

    /// <summary>Reads reports until every member of the wave has a verdict; returns why the rollout halts, or null.</summary>
    private async Task<string?> WatchAsync(List<RolloutNode> all, Dictionary<uint, RolloutNode> byId, List<RolloutNode> members, int maxFailures, TimeSpan timeout, CancellationToken ct)
    {
        string? Halt() => all.Count(n => n.Outcome is RolloutOutcome.Failed or RolloutOutcome.TimedOut) is int f && f > maxFailures
            ? $"{f} node{(f == 1 ? "" : "s")} failed, more than --max-failures {maxFailures}"
            : null;

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(timeout);
        try
        {
            while (members.Any(n => n.Outcome == RolloutOutcome.Pending))
            {
                var (id, report, retained) = await _reports.Reader.ReadAsync(deadline.Token);
                var n = byId[id];
                n.Last = report;
                if (n.Outcome != RolloutOutcome.Pending)
                {
                    continue;
                }

                if (report.ConfirmedOn(_release.Counter))
                {
                    n.Outcome = RolloutOutcome.Updated;
                    _progress($"node {id}: confirmed {report.Version ?? OtaVersion.Format(_release.Version)} (counter {report.Counter})");
                    continue;
                }

                // A report retained from before this rollout says nothing about this release.
                if (retained)
                {
                    continue;
                }

                n.Answered = true;
                if (report.FailureReason() is { } why)
                {
                    n.Outcome = RolloutOutcome.Failed;
                    n.Reason = why;
                    _progress($"node {id}: FAILED: {why}");
                    if (Halt() is { } halt)
                    {
                        return halt;
                    }

                    continue;
                }

                _progress($"node {id}: {report.State}" + (report.Total > 0 ? $" {report.Received:N0}/{report.Total:N0} B" : ""));
            }
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            foreach (var n in members.Where(n => n.Outcome == RolloutOutcome.Pending))
            {
                n.Outcome = RolloutOutcome.TimedOut;
                n.Reason = $"no verdict within {CityNode.Config.ValueParser.FormatDuration((long)timeout.TotalSeconds)} (last report: {(n.Answered && n.Last is { } l ? l.State + (l.Total > 0 ? $" {l.Received}/{l.Total} B" : "") : "none since its manifest went out")})";
                _progress($"node {n.Node}: FAILED: {n.Reason}");
            }
        }

        return Halt();
    }

    /// <summary>Every chunk of the release, retained on its own topic: published once for the whole fleet (docs/ota.md).</summary>
    public static async Task PublishChunksAsync(IMqttClient client, Release release, CancellationToken ct = default)
    {
        for (int i = 0; i < release.ChunkCount; i++)
        {
            await PublishRetainedAsync(client, Topics.OtaChunk(release.Counter, i), release.Chunk(i), ct);
        }
    }

    /// <summary>A node's manifest, targeted at it and signed with its key, retained on its manifest topic.</summary>
    public static Task PublishManifestAsync(IMqttClient client, Release release, uint node, byte[] key, CancellationToken ct = default) =>
        PublishRetainedAsync(client, Topics.Ota(node), release.Manifest(OtaManifest.TargetNode, node.ToString(), key), ct);

    private static async Task PublishRetainedAsync(IMqttClient client, string topic, byte[] payload, CancellationToken ct)
    {
        var result = await client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload(payload)
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).WithRetainFlag().Build(), ct);
        if (!result.IsSuccess)
        {
            throw new Mqtt.BrokerException($"the broker refused {topic}: {result.ReasonCode} (may this account write it? provision's mosquitto-backend.acl grants {Topics.AllNodes(Topics.OtaLeaf)} and {Topics.AllOtaChunks()})");
        }
    }
}
